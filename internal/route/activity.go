package route

// activity is the activity service: the banner and the activity log
// (reads), the event sinks behind the KafkaSources and the dead letters,
// and the daily topic rotation.
//
// replay-dead-letters is an operator's tool, not public API: a CloudEvent
// function without routes (so neither the Istio gateway nor the all-in-one
// handler serves it) and without a source (it is no Sink and no Job); its
// Knative Service is cluster-local. Locally it is served on the loopback
// sink listener, and `make replay-dead-letters` does the same from the
// command line.
var activity = []Function{
	{Name: "activity-feed", Kind: HTTP, Group: Activity, Routes: []Route{get("/api/activities").as(AnyMember).hides(hidesActivities)}},
	{Name: "my-activities", Kind: HTTP, Group: Activity, Routes: []Route{get("/api/activities/me").as(AnyMember)}},
	{Name: "record-activity", Kind: CloudEvent, Group: Sink},
	{Name: "store-dead-letter", Kind: CloudEvent, Group: Sink, DeadLetter: true},
	{Name: "replay-dead-letters", Kind: CloudEvent, Group: Activity, TimeoutSeconds: 300},
	// Ten minutes before midnight in the topic time zone (the PingSource's
	// timezone): tomorrow's topic exists before the first event of the day.
	{Name: "rotate-topics", Kind: CloudEvent, Group: Job, Schedule: "50 23 * * *"},
}
