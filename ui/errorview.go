package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
)

// errorModel shows a failed lookup, worded per error class.
type errorModel struct {
	c     *common
	keys  errorKeys
	req   client.Request
	title string
	lines []string // sanitised detail lines
}

// newErrorView builds the error view of err.
func newErrorView(c *common, req client.Request, err error) errorModel {
	e := errorModel{c: c, keys: c.keys.Error, req: req}
	ce, ok := errors.AsType[*client.Error](err)
	if !ok {
		e.title = "The lookup failed"
		e.lines = []string{oneLineError(err)}
		return e
	}
	e.title, e.lines = describe(c, ce)
	return e
}

// describe words a client error for its class; secrets never appear, only
// where credentials are set.
func describe(c *common, ce *client.Error) (string, []string) {
	g := c.g
	msg := g.Sanitize(ce.Message)
	hint := g.Sanitize(ce.Hint)
	title, lines := "The lookup failed", []string{msg}
	switch ce.Kind {
	case client.KindAuth:
		title = "The provider rejected the signature"
		advice := "Credentials come from AOPFETCH_JWT_SECRET and AOPFETCH_PARTNER_ID or [auth] in config.toml; " +
			"check which are in effect with `aopfetch config`."
		if ce.Hint != client.HintAuth && hint != "" {
			advice = hint // say, over `aopfetch serve`: the credentials are the server's
		}
		lines = []string{providerMessage(g, ce, msg), advice}
	case client.KindAPI:
		title = "The provider declined the lookup"
		lines = []string{providerMessage(g, ce, msg)}
		if ce.ResponseCode != 0 {
			lines = append(lines, fmt.Sprintf("Response code %d", ce.ResponseCode))
		}
	case client.KindUpstream:
		title = "The provider's server failed"
		switch {
		case ce.HTTPStatus >= 500:
			title = fmt.Sprintf("The provider's server failed (HTTP %d)", ce.HTTPStatus)
		case ce.HTTPStatus != 0: // an answer that is not the API's: a redirect, HTML, foreign JSON
			title = fmt.Sprintf("Unexpected answer from the server (HTTP %d)", ce.HTTPStatus)
		}
	case client.KindNetwork:
		title = "Could not reach the provider"
		// One proxy hint: none when the client's names the proxy, or says
		// what to do about a malformed proxy setting.
		if !mentionsProxy(hint) && !errors.Is(ce, client.ErrProxySetting) {
			lines = append(lines, proxyHint(c))
		}
	case client.KindTimeout:
		title = "The provider did not answer in time"
		if !mentionsProxy(hint) {
			lines = append(lines, proxyHint(c))
		}
	case client.KindCancelled:
		title = "The lookup was cancelled"
	}
	if hint != "" && ce.Kind != client.KindAuth { // auth is worded above
		lines = append(lines, hint)
	}
	// The body snippet comes last: a short terminal clips it, not the advice.
	if sn := g.Sanitize(ce.Snippet); sn != "" && ce.Kind == client.KindUpstream {
		lines = append(lines, "Response: "+sn)
	}
	return title, nonEmpty(lines)
}

// providerMessage is the provider's own message when it sent one.
func providerMessage(g text.Glyphs, ce *client.Error, fallback string) string {
	if ce.Result != nil && ce.Result.Consumer.Message != "" {
		return "Provider: " + g.Sanitize(ce.Result.Consumer.Message)
	}
	return fallback
}

// mentionsProxy reports whether a hint already gives the proxy advice.
func mentionsProxy(hint string) bool { return strings.Contains(hint, "HTTPS_PROXY") }

// proxyHint tells how to route through a proxy.
func proxyHint(c *common) string {
	if c.proxy {
		return "HTTPS_PROXY is set: check that the proxy is reachable."
	}
	return "Behind a proxy? Set HTTPS_PROXY=http://host:port and try again."
}

// nonEmpty drops blank strings.
func nonEmpty(ss []string) []string {
	return slices.DeleteFunc(ss, func(s string) bool { return strings.TrimSpace(s) == "" })
}

// oneLineError is err's text, sanitised to one line.
func oneLineError(err error) string {
	if err == nil {
		return "unknown error"
	}
	if ce, ok := errors.AsType[*client.Error](err); ok {
		return text.Sanitize(ce.Message)
	}
	return text.Sanitize(err.Error())
}

// Update handles r, e, q and esc.
func (e errorModel) Update(msg tea.Msg) (errorModel, tea.Cmd, nav) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return e, nil, nil
	}
	k := e.keys
	switch {
	case key.Matches(km, k.Retry):
		return e, nil, navRefetch{req: e.req}
	case key.Matches(km, k.Edit):
		return e, nil, navForm{req: e.req}
	case key.Matches(km, k.Back):
		return e, nil, navBack{}
	}
	return e, nil, nil
}

// View renders the title and the details.
func (e errorModel) View() string {
	s, g := e.c.styles, e.c.g
	var b strings.Builder
	w := max(1, e.c.width-2)
	if e.c.height >= 16 {
		b.WriteString("\n")
	}
	b.WriteString(s.Error.Bold(true).Render(ansi.WrapWc(g.No+" "+e.title, w, " ")) + "\n")
	b.WriteString(s.Subtle.Render(g.Truncate(e.c.requestLine(e.req), w)) + "\n")
	if e.c.height >= 16 {
		b.WriteString("\n")
	}
	for _, l := range e.lines {
		b.WriteString(ansi.WrapWc(l, w, " ") + "\n")
	}
	return b.String()
}
