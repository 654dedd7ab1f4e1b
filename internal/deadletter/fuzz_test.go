package deadletter

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/kafka"
)

// storable reports whether PostgreSQL takes s in a text or json column.
func storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// FuzzLetterCloudEvent is the replay payload: a kept row's event document
// and data. It decodes to an error (the letter is reported, not replayed)
// or to a valid CloudEvent that re-encodes to the same event.
func FuzzLetterCloudEvent(f *testing.F) {
	f.Add([]byte(`{"specversion":"1.0","id":"1","source":"/dailyfeed/create-post","type":"dailyfeed.activity.post.create","datacontenttype":"application/json"}`), []byte(`{"memberId":1}`), false)
	f.Add([]byte(`{"specversion":"1.0","id":"1","source":"/x","type":"t","data":{"a":1}}`), []byte(nil), true)
	f.Add([]byte(`{"specversion":"1.0","id":"1","source":"/x","type":"t","data_base64":"AP8="}`), []byte{}, false)
	f.Add([]byte(`{"specversion":"0.3","id":"","source":"","type":""}`), []byte("\x00\xff"), false)
	f.Add([]byte(`not json`), []byte("x"), false)
	f.Fuzz(func(t *testing.T, doc, data []byte, nilData bool) {
		if nilData {
			data = nil
		}
		l := Letter{ID: 1, IsCloudEvent: true, Event: doc, Data: data}
		e, err := l.CloudEvent()
		if err != nil {
			return
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("%s: invalid event replayed: %v", doc, err)
		}
		if len(data) > 0 && !bytes.Equal(e.Data(), data) {
			t.Fatalf("%s: data %q replayed as %q", doc, data, e.Data())
		}
		raw, err := json.Marshal(e)
		if err != nil {
			return // data that is no JSON under a JSON content type: sent as is, in binary mode
		}
		var again event.Event
		if err := json.Unmarshal(raw, &again); err != nil {
			t.Fatalf("%s: re-encoding %s does not decode: %v", doc, raw, err)
		}
		if again.ID() != e.ID() || again.Type() != e.Type() || again.Source() != e.Source() || again.Subject() != e.Subject() {
			t.Fatalf("%s: %v re-encodes as %v", doc, e, again)
		}
	})
}

// FuzzKeptValues: whatever a dead-lettered event carries, what Keep binds
// for PostgreSQL is storable: text without NUL or invalid UTF-8, a JSON
// attributes document, headers that are valid JSON text, and Kafka
// coordinates all or nothing.
func FuzzKeptValues(f *testing.F) {
	hdr := base64.StdEncoding.EncodeToString([]byte(`[["a","Yg=="]]`))
	f.Add("id-1", "dailyfeed-20260102", "0", "17", base64.StdEncoding.EncodeToString([]byte("key")), hdr, "http://record-activity.default.svc/")
	f.Add("id\x00", "topic\xff", "-1", "x", "!!", base64.StdEncoding.EncodeToString([]byte("[\"\xff\"]")), "%zz")
	f.Add("", "", "", "", "", base64.StdEncoding.EncodeToString([]byte("\"\x00\"")), "")
	f.Fuzz(func(t *testing.T, id, topic, partition, offset, key, headers, dest string) {
		e := event.New()
		e.SetID(id)
		e.SetSource("/dailyfeed/fuzz")
		e.SetType("t")
		for name, v := range map[string]string{
			kafka.TopicExtension: topic, kafka.PartitionExtension: partition, kafka.OffsetExtension: offset,
			kafka.KeyExtension: key, kafka.HeadersExtension: headers, kafka.ErrorDestExtension: dest,
		} {
			e.SetExtension(name, v)
		}
		r := recordOf(e.Extensions())
		if (r.topic == nil) != (r.partition == nil) || (r.topic == nil) != (r.offset == nil) {
			t.Fatalf("coordinates %v %v %v are not all or nothing", r.topic, r.partition, r.offset)
		}
		if r.topic != nil && !storable(*r.topic) {
			t.Fatalf("topic %q reaches the store", *r.topic)
		}
		if r.headers != nil && (!storable(*r.headers) || !json.Valid([]byte(*r.headers))) {
			t.Fatalf("headers %q reach a json column", *r.headers)
		}
		for _, s := range []string{text(e.ID()), text(str(e.Extensions()[kafka.ErrorDestExtension])), SinkOf(text(dest))} {
			if !storable(s) {
				t.Fatalf("%q reaches the store", s)
			}
		}
		doc, err := attributes(e)
		if err != nil {
			t.Fatalf("attributes: %v", err)
		}
		if !utf8.Valid(doc) || !json.Valid(doc) || bytes.IndexByte(doc, 0) >= 0 {
			t.Fatalf("attributes %q reach a json column", doc)
		}
	})
}
