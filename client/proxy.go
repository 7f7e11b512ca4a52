package client

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// ErrProxySetting is the cause of the error every lookup fails with while
// the proxy setting is malformed (see Error.Err).
var ErrProxySetting = errors.New("malformed proxy setting")

// exampleProxy is the form a proxy setting is expected in.
const exampleProxy = "http://proxy.example.com:3128"

// proxyProblem reports a malformed proxy setting (HTTPS_PROXY, or
// HTTP_PROXY for an http:// endpoint) that would apply to c's endpoint, as
// the network error every lookup then fails with; nil when there is none.
//
// Go's transport takes "http//bad" for a proxy named "http" (and then
// "cannot resolve host http"), and silently ignores one it cannot parse at
// all (":::"), sending the request direct. The message names the variable
// and never echoes its value, which may hold a password.
func (c *Client) proxyProblem() *Error {
	u, err := url.Parse(c.endpoint)
	if err != nil || isLoopbackHost(u.Hostname()) {
		return nil // Go never proxies loopback hosts
	}
	name, value := proxyVariable(u.Scheme)
	if name == "" {
		return nil
	}
	req, err := http.NewRequest(http.MethodPost, c.endpoint, nil)
	if err != nil {
		return nil
	}
	var reason string
	switch p, err := c.proxy(req); {
	case err != nil:
		reason = "it is not a URL"
	case p != nil:
		reason = badProxyURL(p)
	case !parsesAsProxy(value) && os.Getenv("NO_PROXY") == "" && os.Getenv("no_proxy") == "":
		// With NO_PROXY set it may simply not apply to this host.
		reason = "it is not a URL, so it would be ignored and requests sent direct"
	}
	if reason == "" {
		return nil
	}
	if typo := schemeTypo(value); typo != "" {
		reason += " (" + typo + ")"
	}
	return &Error{
		Kind:    KindNetwork,
		Message: "the proxy setting " + name + " is malformed: " + reason + "; expected a URL such as " + exampleProxy,
		Hint:    "fix or unset " + name + " (or add the API's host to NO_PROXY to connect directly)",
		Err:     ErrProxySetting,
	}
}

// proxyVariable returns the proxy variable Go's transport reads for a
// request of scheme, and its value; "" when none is set.
func proxyVariable(scheme string) (name, value string) {
	names := []string{"HTTPS_PROXY", "https_proxy"}
	if strings.EqualFold(scheme, "http") {
		names = []string{"HTTP_PROXY", "http_proxy"}
	}
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return n, v
		}
	}
	return "", ""
}

// parsesAsProxy reports whether Go's transport can read v as a proxy URL:
// as it is, or with "http://" in front.
func parsesAsProxy(v string) bool {
	if u, err := url.Parse(v); err == nil && u.Scheme != "" && u.Host != "" {
		return true
	}
	_, err := url.Parse("http://" + v)
	return err == nil
}

// badProxyURL says what is wrong with the proxy URL Go's transport would
// use, or "" when it is usable: a scheme the transport supports, a host, a
// port in range and nothing after them.
func badProxyURL(p *url.URL) string {
	switch strings.ToLower(p.Scheme) {
	case "http", "https", "socks5", "socks5h":
	default:
		return "its scheme is not http, https or socks5"
	}
	if p.Hostname() == "" {
		return "it names no host"
	}
	if port := p.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "its port is not a number from 1 to 65535"
		}
	}
	if (p.Path != "" && p.Path != "/") || p.RawQuery != "" || p.ForceQuery || p.Fragment != "" || p.Opaque != "" {
		return "it has more than a scheme, host and port"
	}
	return ""
}

// schemeTypo names the likely typo when v starts like a URL whose "://"
// lost a character ("http//proxy", "http:/proxy").
func schemeTypo(v string) string {
	l := strings.ToLower(strings.TrimSpace(v))
	for _, s := range []string{"https", "http", "socks5h", "socks5"} {
		if strings.HasPrefix(l, s+"://") {
			return ""
		}
		if strings.HasPrefix(l, s+"//") || strings.HasPrefix(l, s+":/") {
			return "is a ':' or '/' missing after " + s + "?"
		}
	}
	return ""
}
