package kafkatest

import (
	"bytes"
	"context"
	"fmt"

	"github.com/IBM/sarama"

	"github.com/dailyfeed/dailyfeed/kafka"
)

// Record is one record as a foreign producer writes it: raw key, value and
// headers, no CloudEvents binding.
type Record struct {
	Name    string
	Key     []byte
	Value   []byte
	Headers map[string]string
}

// Poisons are records no sink can accept, each of a different kind:
// invalid JSON under CloudEvent headers, a foreign non-CloudEvent record,
// an empty value, binary key and value, a huge value, an unknown event
// type, a wrong data shape, a NUL and invalid UTF-8 in an attribute. tag
// makes their CloudEvent ids unique to a run.
func Poisons(tag string) []Record {
	ce := func(id, typ string, extra map[string]string) map[string]string {
		h := map[string]string{"ce_specversion": "1.0", "ce_id": tag + id, "ce_source": "/elsewhere",
			"ce_type": typ, "content-type": "application/json"}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	huge := bytes.Repeat([]byte("x"), 512<<10)
	return []Record{
		{Name: "invalid JSON as a CloudEvent", Value: []byte("{not json"), Headers: ce("invalid-json", "dailyfeed.post.created.v1", nil)},
		{Name: "not a CloudEvent", Key: []byte("k"), Value: []byte(`{"hello":"world"}`), Headers: map[string]string{"x-app": "other"}},
		{Name: "empty value"},
		{Name: "binary value and key", Key: []byte{0xff, 0x00, 0xfe}, Value: []byte{0x00, 0x01, 0xff, 0xfe, 0x80}},
		{Name: "huge value", Value: huge, Headers: ce("huge", "dailyfeed.post.created.v1", nil)},
		{Name: "unknown type", Value: []byte(`{}`), Headers: ce("unknown", "com.example.unknown", nil)},
		{Name: "wrong data shape", Value: []byte(`{"postId":"seven"}`), Headers: ce("shape", "dailyfeed.post.created.v1",
			map[string]string{"ce_subject": "7", "ce_dedupkey": "k"})},
		{Name: "NUL in an attribute", Value: []byte(`{}`), Headers: ce("nul\x00id", "dailyfeed.post.created.v1", nil)},
		{Name: "invalid UTF-8 in an attribute", Value: []byte(`{}`), Headers: ce("bad\xff\xfeutf8", "dailyfeed.post.created.v1", nil)},
	}
}

// Produce writes records straight to partition p of topic and returns
// their offsets.
func Produce(ctx context.Context, brokers []string, topic string, p int32, records []Record) ([]int64, error) {
	c := sarama.NewConfig()
	c.Version = kafka.Version
	c.Producer.Return.Successes = true
	c.Producer.Partitioner = sarama.NewManualPartitioner
	c.Producer.MaxMessageBytes = 1 << 20
	prod, err := sarama.NewSyncProducer(brokers, c)
	if err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	defer prod.Close()
	var offsets []int64
	for _, r := range records {
		if err := ctx.Err(); err != nil {
			return offsets, err
		}
		m := &sarama.ProducerMessage{Topic: topic, Partition: p}
		if r.Key != nil {
			m.Key = sarama.ByteEncoder(r.Key)
		}
		if r.Value != nil {
			m.Value = sarama.ByteEncoder(r.Value)
		}
		for k, v := range r.Headers {
			m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(k), Value: []byte(v)})
		}
		_, off, err := prod.SendMessage(m)
		if err != nil {
			return offsets, fmt.Errorf("produce %s: %w", r.Name, err)
		}
		offsets = append(offsets, off)
	}
	return offsets, nil
}
