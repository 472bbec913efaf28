// The hostPath plugin (pkg/volume/hostpath): the host's path itself, after
// checking (or creating) what its type asks for.
import { closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";

/** checkType: upstream's checkTypeInternal with its error texts. */
export function checkHostPathType(path: string, type: string | undefined): void {
  if (type === undefined || type === "") return;
  const st = existsSync(path) ? statSync(path) : undefined;
  if (type === "DirectoryOrCreate" && !st) {
    mkdirSync(path, { recursive: true, mode: 0o755 });
    return;
  }
  if (type === "FileOrCreate" && !st) {
    closeSync(openSync(path, "a", 0o644));
    return;
  }
  switch (type) {
    case "DirectoryOrCreate":
    case "Directory":
      if (!st?.isDirectory()) throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return;
    case "FileOrCreate":
    case "File":
      if (!st?.isFile()) throw new Error(`hostPath type check failed: ${path} is not a file`);
      return;
    case "Socket":
      if (!st?.isSocket()) throw new Error(`hostPath type check failed: ${path} is not a socket file`);
      return;
    case "CharDevice":
      if (!st?.isCharacterDevice())
        throw new Error(`hostPath type check failed: ${path} is not a character device`);
      return;
    case "BlockDevice":
      if (!st?.isBlockDevice()) throw new Error(`hostPath type check failed: ${path} is not a block device`);
      return;
    default:
      throw new Error(`${type} is an invalid volume type`);
  }
}
