// CronJob printer: port of printCronJob. SUSPEND prints "True"/"False"/"<unset>" (printBoolPtr).
import type { CronJob } from "kubernetes-types/batch/v1.d.ts";
import { ageColumn, containersColumn, imagesColumn, layoutContainerCells, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { formatLabelSelector } from "./labels.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printBoolPtr(value: boolean | null | undefined): string {
  if (value === undefined || value === null) return "<unset>";
  return value ? "True" : "False";
}

function printCronJob(obj: CronJob, ctx: PrintContext): PrintedRow {
  const lastSchedule = obj.status?.lastScheduleTime
    ? translateTimestampSince(obj.status.lastScheduleTime, ctx.now)
    : "<none>";
  const jobSpec = obj.spec?.jobTemplate?.spec;
  const [names, images] = layoutContainerCells(jobSpec?.template?.spec?.containers);
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.spec?.schedule ?? "",
      obj.spec?.timeZone ?? "<none>",
      printBoolPtr(obj.spec?.suspend),
      obj.status?.active?.length ?? 0,
      lastSchedule,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
      names,
      images,
      formatLabelSelector(jobSpec?.selector),
    ],
  };
}

const cronJobSpec = swaggerDoc["batchv1beta1.CronJobSpec"];
const cronJobStatus = swaggerDoc["batchv1beta1.CronJobStatus"];

export const cronJobPrinter: TablePrinter<CronJob> = {
  columns: [
    nameColumn(),
    column("Schedule", "string", cronJobSpec.schedule),
    column("Timezone", "string", cronJobSpec.timeZone),
    column("Suspend", "boolean", cronJobSpec.suspend),
    column("Active", "integer", cronJobStatus.active),
    column("Last Schedule", "string", cronJobStatus.lastScheduleTime),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    column("Selector", "string", swaggerDoc["batchv1.JobSpec"].selector, { priority: 1 }),
  ],
  print: printCronJob,
};
