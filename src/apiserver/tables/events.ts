// `kubectl get events` columns (printEvent). Upstream converts events.k8s.io/v1 Events to the
// internal core Event before printing, so both API groups print the same columns; we map the
// events.k8s.io field names onto the core ones first.
import { isZeroTime, translateTimestampSince } from '../../api/duration.js';
import type { Event, KObject } from '../../api/types.js';
import type { TableConvertor } from './types.js';
import { col, field, str } from './format.js';

/** The fields printEvent reads, with core/v1 names. */
interface EventView {
  name: string; type: string; reason: string; message: string;
  kind: string; objectName: string; fieldPath: string;
  component: string; host: string; reportingController: string; reportingInstance: string;
  firstTimestamp?: string; lastTimestamp?: string; eventTime?: string; count: number;
  series?: { count: number; lastObservedTime?: string };
}

function view(obj: KObject): EventView {
  const isNewApi = obj.apiVersion?.startsWith('events.k8s.io/') ?? false;
  const e = obj as Event & Record<string, unknown>;
  const ref = isNewApi ? field<Record<string, unknown>>(obj, 'regarding') : (e.involvedObject as Record<string, unknown> | undefined);
  const source = isNewApi ? field<Record<string, unknown>>(obj, 'deprecatedSource') : (e.source as Record<string, unknown> | undefined);
  const series = field<Record<string, unknown>>(obj, 'series');
  return {
    name: obj.metadata?.name ?? '',
    type: str(e.type),
    reason: str(e.reason),
    message: str(isNewApi ? field(obj, 'note') : e.message),
    kind: str(ref?.kind),
    objectName: str(ref?.name),
    fieldPath: str(ref?.fieldPath),
    component: str(source?.component),
    host: str(source?.host),
    reportingController: str(field(obj, isNewApi ? 'reportingController' : 'reportingComponent')),
    reportingInstance: str(field(obj, 'reportingInstance')),
    firstTimestamp: field<string>(obj, isNewApi ? 'deprecatedFirstTimestamp' : 'firstTimestamp'),
    lastTimestamp: field<string>(obj, isNewApi ? 'deprecatedLastTimestamp' : 'lastTimestamp'),
    eventTime: field<string>(obj, 'eventTime'),
    count: Number(field(obj, isNewApi ? 'deprecatedCount' : 'count') ?? 0),
    series: series ? { count: Number(series.count ?? 0), lastObservedTime: series.lastObservedTime as string | undefined } : undefined,
  };
}

/** "component, host" with either side falling back to the reporting fields (formatEventSource). */
function formatSource(v: EventView): string {
  const component = v.component || v.reportingController;
  const instance = v.host || v.reportingInstance;
  return instance ? `${component}, ${instance}` : component;
}

export const eventConvertor: TableConvertor = {
  columns: [
    col('Last Seen', 'string', 'Time the event was last observed.'),
    col('Type', 'string', 'Type of this event (Normal, Warning).'),
    col('Reason', 'string', 'Short, machine understandable reason for the event.'),
    col('Object', 'string', 'The object this event is about.'),
    col('Subobject', 'string', 'Field path within the object, e.g. a container.', 1),
    col('Source', 'string', 'The component reporting this event.', 1),
    col('Message', 'string', 'Human-readable description of the event.'),
    col('First Seen', 'string', 'Time the event was first observed.', 1),
    col('Count', 'string', 'Number of times this event has occurred.', 1),
    col('Name', 'string', 'Name of the event object.', 1),
  ],
  cells(obj, nowMs) {
    const v = view(obj);
    const first = isZeroTime(v.firstTimestamp)
      ? translateTimestampSince(v.eventTime, nowMs)
      : translateTimestampSince(v.firstTimestamp, nowMs);
    let last = isZeroTime(v.lastTimestamp) ? first : translateTimestampSince(v.lastTimestamp, nowMs);
    let count = v.count;
    if (v.series) {
      last = translateTimestampSince(v.series.lastObservedTime, nowMs);
      count = v.series.count;
    } else if (count === 0) {
      count = 1; // singleton events from the new API carry no count
    }
    const target = v.objectName ? `${v.kind.toLowerCase()}/${v.objectName}` : v.kind.toLowerCase();
    return [last, v.type, v.reason, target, v.fieldPath, formatSource(v), v.message.trim(), first, count, v.name];
  },
};
