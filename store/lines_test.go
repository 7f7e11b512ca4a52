package store

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
)

// jsonNames lists the JSON names of t's fields, those of its embedded
// structs included.
func jsonNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		if f.Anonymous {
			names = append(names, jsonNames(f.Type)...)
			continue
		}
		names = append(names, strings.Split(f.Tag.Get("json"), ",")[0])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// The decoding types of the history and accounts lines must name every
// field of the types written, or a field would be dropped on reading.
func TestLineTypesMatchTheWrittenTypes(t *testing.T) {
	for _, c := range []struct{ written, read any }{
		{entry{}, lineEntry{}}, {Snapshot{}, lineSnapshot{}}, {client.Consumer{}, lineConsumer{}}, {diskAccount{}, lineAccount{}},
	} {
		if w, r := jsonNames(reflect.TypeOf(c.written)), jsonNames(reflect.TypeOf(c.read)); !slices.Equal(w, r) {
			t.Errorf("%T reads %v; %T writes %v", c.read, r, c.written, w)
		}
	}
}

// Every field of an entry, a snapshot and a bill survives a history line,
// a bill without values included; a snapshot or bill left out stays out.
func TestHistoryLinesRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 890123456, time.UTC)
	full := entry{ID: "a1", Uses: 3, Operator: 311, CANumber: "DL12CB4685", RegistrationID: "R", At: at.Add(time.Hour),
		OK: true, ErrorKind: "api", ErrorMessage: "m", Snapshot: &Snapshot{FetchedAt: at, Consumer: client.Consumer{
			ResponseCode: 1, Status: true, Message: "ok", Name: "N", Amount: "1.00", DueDate: "2026-04-20",
			Bill: &client.Bill{BillAmount: "1", BillNetAmount: "2", DueDate: "d", MaxBillAmount: "3",
				AcceptPayment: true, AcceptPartPay: true, CellNumber: "98", UserName: "U"}}}}
	emptyBill := entry{CANumber: "X", At: at, OK: true, Snapshot: &Snapshot{FetchedAt: at, Consumer: client.Consumer{Bill: &client.Bill{}}}}
	noBill := entry{CANumber: "Y", At: at, OK: true, Snapshot: &Snapshot{FetchedAt: at, Consumer: client.Consumer{Name: `"bill":{`}}}
	none := entry{CANumber: "Z", At: at, ErrorKind: "network", ErrorMessage: "down"}
	want := []entry{full, emptyBill, noBill, none}
	b, err := encodeEntries(nil, want)
	if err != nil {
		t.Fatal(err)
	}
	got := decodeEntries(splitLines(bytes.TrimSuffix(b, []byte("\n"))))
	for i := range want {
		if got[i] == nil || !reflect.DeepEqual(*got[i], want[i]) {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
