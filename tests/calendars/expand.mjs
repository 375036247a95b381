// Expands an iCalendar feed with Mozilla's ical.js, as Thunderbird and Nextcloud Calendar do.
// Usage: node expand.mjs FROM TO < feed.ics   (FROM, TO: YYYY-MM-DD, TO excluded)
// Prints a JSON list of {uid, start, end, status, summary, location}: start and end in UTC ISO.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [from, to] = process.argv.slice(2);
const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const lo = ICAL.Time.fromDateString(from);
const hi = ICAL.Time.fromDateString(to);
// Occurrences moved by up to a month may come into the range from after it.
const beyond = hi.clone();
beyond.adjust(32, 0, 0, 0);
const masters = new Map();
const overrides = [];
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  if (event.isRecurrenceException()) overrides.push(event);
  else masters.set(event.uid, event);
}
for (const override of overrides) masters.get(override.uid)?.relateException(override);

const utc = (time) => time.toJSDate().toISOString();
const out = [];
const push = (item, start, end) => {
  if (start.compare(hi) >= 0 || end.compare(lo) <= 0) return;
  out.push({
    uid: item.uid,
    start: utc(start),
    end: utc(end),
    status: item.component.getFirstPropertyValue("status") || "",
    summary: item.summary,
    location: item.location,
  });
};
for (const event of masters.values()) {
  if (!event.isRecurring()) {
    push(event, event.startDate, event.endDate);
    continue;
  }
  const it = event.iterator();
  for (let next = it.next(); next; next = it.next()) {
    const details = event.getOccurrenceDetails(next);
    if (next.compare(beyond) >= 0) break;
    push(details.item, details.startDate, details.endDate);
  }
}
out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.uid < b.uid ? -1 : 1));
process.stdout.write(JSON.stringify(out));
