// Job printer: port of printJob (STATUS, COMPLETIONS "1/3" or "0/1 of 3", DURATION).
import type { Job, JobCondition } from "kubernetes-types/batch/v1.d.ts";
import { ageColumn, containersColumn, imagesColumn, layoutContainerCells, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { humanDuration } from "./duration.ts";
import { formatLabelSelector } from "./labels.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { parseTime, translateTimestampSince } from "./timestamp.ts";

/** hasJobCondition: the first condition of that type decides. */
function hasJobCondition(conditions: JobCondition[], type: string): boolean {
  const condition = conditions.find((c) => c.type === type);
  return condition?.status === "True";
}

function printJob(obj: Job, ctx: PrintContext): PrintedRow {
  const succeeded = obj.status?.succeeded ?? 0;
  let completions: string;
  if (obj.spec?.completions !== undefined && obj.spec.completions !== null) {
    completions = `${succeeded}/${obj.spec.completions}`;
  } else {
    const parallelism = obj.spec?.parallelism ?? 0;
    completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
  }

  let jobDuration = "";
  const startTime = obj.status?.startTime;
  const completionTime = obj.status?.completionTime;
  if (startTime) {
    const end = completionTime ? parseTime(completionTime) : ctx.now.getTime();
    jobDuration = humanDuration(end - parseTime(startTime));
  }

  const conditions = obj.status?.conditions ?? [];
  let status: string;
  if (hasJobCondition(conditions, "Complete")) status = "Complete";
  else if (hasJobCondition(conditions, "Failed")) status = "Failed";
  else if (obj.metadata?.deletionTimestamp) status = "Terminating";
  else if (hasJobCondition(conditions, "Suspended")) status = "Suspended";
  else if (hasJobCondition(conditions, "FailureTarget")) status = "FailureTarget";
  else status = "Running";

  const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
  return {
    cells: [
      obj.metadata?.name ?? "",
      status,
      completions,
      jobDuration,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
      names,
      images,
      formatLabelSelector(obj.spec?.selector),
    ],
  };
}

export const jobPrinter: TablePrinter<Job> = {
  columns: [
    nameColumn(),
    column("Status", "string", "Status of the job."),
    column("Completions", "string", swaggerDoc["batchv1.JobStatus"].succeeded),
    column("Duration", "string", "Time required to complete the job."),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    column("Selector", "string", swaggerDoc["batchv1.JobSpec"].selector, { priority: 1 }),
  ],
  print: printJob,
};
