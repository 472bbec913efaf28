// The default table for kinds without a printer (defaultTableConvertor in
// staging/src/k8s.io/apiserver/pkg/registry/rest/table.go): NAME and CREATED AT. Roles, ClusterRoles and
// LimitRanges use it upstream too.
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintedRow, type TablePrinter } from "./table.ts";
import { formatRFC3339 } from "./timestamp.ts";

const objectMeta = swaggerDoc["metav1.ObjectMeta"];

export const defaultPrinter: TablePrinter<{ metadata?: ObjectMeta }> = {
  columns: [
    column("Name", "string", objectMeta.name, { format: "name" }),
    column("Created At", "date", objectMeta.creationTimestamp),
  ],
  print(obj): PrintedRow {
    return { cells: [obj.metadata?.name ?? "", formatRFC3339(obj.metadata?.creationTimestamp)] };
  },
};
