package sandbox_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/client/sandbox"
)

func TestOnlyTheEndpointIsServed(t *testing.T) {
	h := sandbox.New(testOptions())
	for _, p := range []string{"/", "/api/AOP/FetchConsumerDetail", "/api/AOP/FetchConsumerDetails/x"} {
		rec := serve(h, http.MethodPost, p, requestBody(sandbox.VehicleSuccess))
		wantJSON(t, rec, http.StatusNotFound)
	}
}

func TestOtherMethodsAreNotAllowed(t *testing.T) {
	h := sandbox.New(testOptions())
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions} {
		rec := serve(h, m, client.EndpointPath, requestBody(sandbox.VehicleSuccess))
		wantJSON(t, rec, http.StatusMethodNotAllowed)
		if allow := rec.Header().Get("Allow"); allow != http.MethodPost {
			t.Errorf("%s: Allow = %q, want POST", m, allow)
		}
	}
}

func TestMalformedRequests(t *testing.T) {
	tests := []struct {
		name, body string
	}{
		{"empty body", ``},
		{"not JSON", `operator=311`},
		{"truncated", `{"operator":311,"canumber":"DL12CB4685"`},
		{"trailing data", `{"operator":311,"canumber":"DL12CB4685","RegistrationID":"AOP-554"} {}`},
		{"array", `[311,"DL12CB4685","AOP-554"]`},
		{"null", `null`},
		{"operator missing", `{"canumber":"DL12CB4685","RegistrationID":"AOP-554"}`},
		{"operator as string", `{"operator":"311","canumber":"DL12CB4685","RegistrationID":"AOP-554"}`},
		{"operator fractional", `{"operator":311.5,"canumber":"DL12CB4685","RegistrationID":"AOP-554"}`},
		{"operator exponent", `{"operator":3e2,"canumber":"DL12CB4685","RegistrationID":"AOP-554"}`},
		{"operator zero", `{"operator":0,"canumber":"DL12CB4685","RegistrationID":"AOP-554"}`},
		{"operator negative", `{"operator":-311,"canumber":"DL12CB4685","RegistrationID":"AOP-554"}`},
		{"operator null", `{"operator":null,"canumber":"DL12CB4685","RegistrationID":"AOP-554"}`},
		{"operator too big", `{"operator":99999999999999999999,"canumber":"DL12CB4685","RegistrationID":"AOP-554"}`},
		{"canumber missing", `{"operator":311,"RegistrationID":"AOP-554"}`},
		{"canumber number", `{"operator":311,"canumber":1234,"RegistrationID":"AOP-554"}`},
		{"canumber null", `{"operator":311,"canumber":null,"RegistrationID":"AOP-554"}`},
		{"RegistrationID missing", `{"operator":311,"canumber":"DL12CB4685"}`},
		{"RegistrationID number", `{"operator":311,"canumber":"DL12CB4685","RegistrationID":554}`},
		{"RegistrationID blank", `{"operator":311,"canumber":"DL12CB4685","RegistrationID":"  "}`},
		{"field names are exact", `{"Operator":311,"CANumber":"DL12CB4685","registrationid":"AOP-554"}`},
	}
	h := sandbox.New(testOptions())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(h, http.MethodPost, client.EndpointPath, tt.body)
			wantJSON(t, rec, http.StatusBadRequest)
			m := decode(t, rec.Body.Bytes())
			if m["status"] != false || m["message"] == "" || m["response_code"] == nil {
				t.Errorf("want status false, a code and a message; got %s", rec.Body)
			}
		})
	}
}

func TestWellFormedVariantsAreAccepted(t *testing.T) {
	h := sandbox.New(testOptions())
	for _, body := range []string{
		` { "RegistrationID" : "AOP-554", "canumber" : "DL12CB4685", "operator" : 311 } `,
		`{"operator":311,"canumber":"DL12CB4685","RegistrationID":"AOP-554","extra":[1,2]}`,
		`{"operator":311,"canumber":"DL12CB4685","RegistrationID":"AOP-554"}` + "\n",
	} {
		rec := serve(h, http.MethodPost, client.EndpointPath, body)
		wantJSON(t, rec, http.StatusOK)
	}
}

func TestOversizedBodyIsRejected(t *testing.T) {
	body := `{"operator":311,"canumber":"DL12CB4685","RegistrationID":"` +
		strings.Repeat("A", sandbox.MaxRequestBytes) + `"}`
	rec := serve(sandbox.New(testOptions()), http.MethodPost, client.EndpointPath, body)
	wantJSON(t, rec, http.StatusRequestEntityTooLarge)
}
