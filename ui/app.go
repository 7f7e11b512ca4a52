package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// Minimum usable terminal size.
const (
	minWidth  = 40
	minHeight = 12
)

// fetchGrace is added to the configured timeout for the context of a lookup,
// so the client's own timeout fires first and is reported as such.
const fetchGrace = 5 * time.Second

// state is the view on screen.
type state int

const (
	stateForm state = iota
	stateLoading
	stateResult
	stateError
	stateHome
)

// common is the context value shared by the root model and every view: the
// options, with their defaults filled in, and what is derived from them.
type common struct {
	Options
	runEnv
	width, height int
	styles        *Styles
	keys          KeyMap
	g             text.Glyphs // UTF-8, or ASCII under a locale that is not UTF-8
	ctx           context.Context
	crash         *crashBox
	log           *log.Logger // debug log; discards unless --debug
	uiState       *uiStateFile
}

// operatorName returns the configured name of code, or "".
func (c *common) operatorName(code int) string {
	if c.Config == nil || code == 0 {
		return ""
	}
	return c.g.Sanitize(c.Config.OperatorName(code))
}

// requestLine is "DL12CB4685 · operator 311 (FASTag Axis)", without the
// word "operator" on a narrow terminal.
func (c *common) requestLine(r client.Request) string {
	op := fmt.Sprint(r.Operator)
	if n := c.operatorName(r.Operator); n != "" {
		op = fmt.Sprintf("%d (%s)", r.Operator, n)
	}
	if c.width-2 >= 60 {
		op = "operator " + op
	}
	return r.CANumber + c.g.Sep + op
}

// withDefaults fills a saved request's missing operator and registration
// ID from the config.
func (c *common) withDefaults(r client.Request) client.Request {
	if c.Config == nil {
		return r
	}
	r.Operator = cmp.Or(r.Operator, c.Config.Operator)
	r.RegistrationID = cmp.Or(r.RegistrationID, c.Config.RegistrationID)
	return r
}

// timeout is the context timeout of one lookup.
func (c *common) timeout() time.Duration {
	t := client.DefaultTimeout
	if c.Config != nil && c.Config.Timeout > 0 {
		t = c.Config.Timeout
	}
	return t + fetchGrace
}

// crashBox records the first panic caught in View, which cannot return a
// command; Update picks it up.
type crashBox struct {
	info atomic.Pointer[crashInfo]
	quit func()
}

// crashInfo is a recovered panic.
type crashInfo struct {
	value any
	stack []byte
}

func (b *crashBox) set(ci *crashInfo) {
	if b.info.CompareAndSwap(nil, ci) && b.quit != nil {
		go b.quit()
	}
}

// Messages.
type (
	// fetchDoneMsg is the answer of one lookup, tagged with its request id.
	fetchDoneMsg struct {
		id  int
		req client.Request
		res *client.Result
		err error
	}
	// storeMsg carries the store's data after a read or a write.
	storeMsg struct {
		data    store.Data
		changed bool
		err     error
		note    string // success note for the status line
		refused bool   // err refused the change as it stands; the store is fine
	}
	// copyMsg reports a clipboard write.
	copyMsg struct {
		what string
		err  error
	}
	// crashMsg is a panic recovered in a command.
	crashMsg struct{ info *crashInfo }
	// pollMsg asks for a check of the store while home is on screen.
	pollMsg struct{ seq int }
)

// Navigation requests that views hand back to the root model.
type (
	navSubmit  struct{ req client.Request }
	navCancel  struct{}
	navBack    struct{}
	navForm    struct{ req client.Request } // the form holding req; no vehicle clears it
	navRefetch struct{ req client.Request }
	navRefresh struct{ req client.Request } // refresh the card on screen in place
	navOpen    struct{ r *row }
	navLookup  struct{ vehicle string } // typed on home, matching no row
)

// nav is one of the nav* types, or nil.
type nav any

// inflight is the lookup the root model is waiting for.
type inflight struct {
	id     int
	cancel context.CancelFunc
}

func (f *inflight) stop() {
	if f.cancel != nil {
		f.cancel()
	}
	*f = inflight{}
}

// model is the root model: it routes messages to the view on screen.
type model struct {
	c       *common
	state   state
	form    formModel
	loading loadingModel
	result  resultModel
	errv    errorModel
	home    homeModel
	seq     int
	fg, bg  inflight
	notices []string
	crashed *crashInfo
	// origin is where a foreground lookup started: esc on the loading view
	// goes back there.
	origin  state
	pollSeq int
	// quitting: the program is ending; later keys are ignored.
	quitting bool
	initCmd  tea.Cmd // what Init runs: the command of start
}

// runEnv is what Run learns from the environment.
type runEnv struct {
	tmux  bool // inside tmux: wrap OSC 52
	proxy bool // HTTPS_PROXY is set
}

// newModel builds the root model from the options.
func newModel(ctx context.Context, o Options, env runEnv) model {
	g := text.UTF8Glyphs()
	if o.ASCII {
		g = text.ASCIIGlyphs()
	}
	o.Theme = cmp.Or(o.Theme, ThemeAuto)
	styles := NewStyles(o.Theme, o.NoColor)
	if o.Renderer != nil {
		styles = styles.onRenderer(o.Renderer)
		if o.NoColor {
			styles.Cursor = NewStyles(o.Theme, true).Cursor // attributes without colour, whatever the session's profile
		}
	}
	o.Version = g.Sanitize(o.Version)
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Clipboard = cmp.Or(o.Clipboard, io.Discard)
	c := &common{Options: o, runEnv: env, styles: styles, keys: DefaultKeyMap(g), g: g,
		ctx: cmp.Or(ctx, context.Background()), crash: &crashBox{}, uiState: &uiStateFile{},
		log: cmp.Or(o.logger, log.New(io.Discard, "", 0))}
	if o.StateDir != "" {
		c.uiState.path = filepath.Join(o.StateDir, uiStateName)
	}
	m := model{c: c, notices: sanitizeAll(g, o.Notices)}
	var data store.Data
	switch {
	case c.Store != nil:
		data = c.Store.Data()
	case len(m.notices) == 0:
		m.notices = []string{"the store could not be opened: nothing will be saved"}
	}
	m.form = newForm(c, m.initialRequest(data))
	m.loading = newLoading(c, client.Request{})
	m.result = newResult(c, client.Request{}, nil, "")
	m.errv = newErrorView(c, client.Request{}, errors.New("no lookup yet"))
	m.home = newHome(c, data, parseSort(c.uiState.load().Sort))
	m.home.setBanner(m.notices)
	m.home.updateKeymap()
	m.form.banner = m.notices
	m.state, m.origin = stateForm, stateHome
	if c.Store != nil && !m.home.empty() {
		m.state = stateHome
	}
	return m
}

// initialRequest prefills the form: the last lookup's operator and
// registration ID, else the configured ones; a flag or environment
// variable set for this run wins over the last lookup.
func (m model) initialRequest(d store.Data) client.Request {
	r, cfg := m.c.withDefaults(client.Request{}), m.c.Config
	if len(d.Recent) == 0 {
		return r
	}
	last := d.Recent[0]
	if last.Operator != 0 && !explicit(cfg, "operator") {
		r.Operator = last.Operator
	}
	if last.RegistrationID != "" && !explicit(cfg, "registration_id") {
		r.RegistrationID = last.RegistrationID
	}
	return r
}

// explicit reports whether setting key was given by a flag or the
// environment for this run.
func explicit(cfg *config.Config, key string) bool {
	if cfg == nil {
		return false
	}
	src := cfg.Sources[key]
	return src == config.SourceFlag || src == config.SourceEnv
}

// Init implements tea.Model: it runs the start command.
func (m model) Init() tea.Cmd { return guard(m.initCmd) }

// start returns the model and command for `aopfetch VEHICLE`, or for
// the first screen.
func (m model) start(vehicle string) (model, tea.Cmd) {
	if vehicle == "" {
		if m.state == stateHome {
			return m.watch()
		}
		return m, nil
	}
	v, _, err := client.NormalizeVehicle(vehicle)
	if r := m.home.savedRow(v); err == nil && r != nil {
		return m.openRow(r)
	}
	if err != nil {
		v = strings.ToUpper(vehicle)
	}
	m.form.setVehicle(v)
	req := m.form.request()
	if _, _, nerr := req.Normalize(); err != nil || nerr != nil {
		m.form.validate(false)
		m.state = stateForm
		return m, nil
	}
	return m.startForeground(req)
}

// Update implements tea.Model. A panic becomes a quit that Run reports;
// the model returned then is the one that panicked, marked crashed, so
// Bubble Tea never holds a nil model.
func (m model) Update(msg tea.Msg) (out tea.Model, cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			m.crashed = &crashInfo{value: r, stack: debug.Stack()}
			out, cmd = m, tea.Quit
		}
	}()
	if m.crashed != nil {
		return m, tea.Quit
	}
	if ci := m.c.crash.info.Load(); ci != nil {
		m.crashed = ci
		return m, tea.Quit
	}
	m, cmd = m.update(msg)
	return m, guard(cmd)
}

func (m model) update(msg tea.Msg) (model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = max(0, msg.Width), max(0, msg.Height)
		m.resize()
		return m, nil
	case tea.KeyMsg:
		if msg.String() == "ctrl+c" {
			return m.quit()
		}
		if m.quitting {
			return m, nil
		}
		if msg.Type == tea.KeyRunes && msg.Alt && !msg.Paste && !m.takesAlt(msg) {
			return m.escThen(msg)
		}
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
			return m.splitKeys(msg)
		}
	case crashMsg:
		m.crashed = msg.info
		return m, tea.Quit
	case fetchDoneMsg:
		return m.fetchDone(msg)
	case storeMsg:
		return m.storeDone(msg)
	case pollMsg:
		return m.poll(msg)
	case refreshMsg:
		// Refresh-all goes on whatever view is on screen.
		var cmd tea.Cmd
		m.home, cmd, _ = m.home.Update(msg)
		return m, cmd
	case uiStateMsg:
		if msg.err != nil {
			m.c.log.Printf("ui state: %v", msg.err)
		}
		return m, nil
	case spinner.TickMsg:
		if m.state != stateLoading {
			return m, nil // no ticking when no spinner is visible
		}
	}
	return m.route(msg)
}

// splitKeys handles keys typed faster than one terminal read (a fast typist
// over SSH, or a script) one by one: Bubble Tea delivers them as one
// multi-rune KeyMsg, which would match no single-key binding.
func (m model) splitKeys(msg tea.KeyMsg) (model, tea.Cmd) {
	cmds := make([]tea.Cmd, 0, len(msg.Runes))
	for _, r := range msg.Runes {
		if m.quitting {
			break
		}
		var cmd tea.Cmd
		m, cmd = m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt})
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// escThen handles alt+key as esc followed by key: that is what the
// terminal sends when esc and the next key arrive in one read (a fast
// typist, or both in one packet over SSH), for every alt+key no view binds.
func (m model) escThen(msg tea.KeyMsg) (model, tea.Cmd) {
	next, esc := m.update(tea.KeyMsg{Type: tea.KeyEsc})
	if next.quitting {
		return m, nil
	}
	msg.Alt = false
	next, cmd := next.update(msg)
	return next, tea.Batch(esc, cmd)
}

// takesAlt reports whether the view on screen binds alt+key: a text
// input's word moves and deletes (alt+b, alt+f, alt+d), and home's alt+1
// to alt+9.
func (m model) takesAlt(msg tea.KeyMsg) bool {
	if len(msg.Runes) != 1 {
		return false
	}
	r := msg.Runes[0]
	word := strings.ContainsRune("bfd", r)
	switch m.state {
	case stateForm:
		return word
	case stateResult:
		return word && m.result.prompting
	case stateHome:
		h := m.home
		if h.prompting {
			return word
		}
		return r >= '1' && r <= '9' && !h.dialog && !h.full
	}
	return false
}

// route hands msg to the view on screen and applies its navigation request.
func (m model) route(msg tea.Msg) (model, tea.Cmd) {
	var cmd tea.Cmd
	var n nav
	switch m.state {
	case stateForm:
		m.form, cmd, n = m.form.Update(msg)
	case stateLoading:
		m.loading, cmd, n = m.loading.Update(msg)
	case stateResult:
		m.result, cmd, n = m.result.Update(msg)
	case stateError:
		m.errv, cmd, n = m.errv.Update(msg)
	case stateHome:
		m.home, cmd, n = m.home.Update(msg)
	}
	if n == nil {
		return m, cmd
	}
	m2, cmd2 := m.navigate(n)
	return m2, tea.Batch(cmd, cmd2)
}

// navigate applies a view's navigation request.
func (m model) navigate(n nav) (model, tea.Cmd) {
	switch n := n.(type) {
	case navSubmit:
		m.origin = stateForm
		return m.startForeground(n.req)
	case navRefetch:
		return m.startForeground(n.req)
	case navRefresh:
		return m.refreshCard(n.req)
	case navCancel:
		m.fg.stop()
		if m.origin == stateHome {
			m.home.status, m.home.bad = "cancelled", false
			return m.showHome()
		}
		m.form.status = "cancelled"
		m.state = stateForm
		return m, nil
	case navForm:
		m.bg.stop()
		m.form.prefill(n.req)
		if n.req.CANumber == "" {
			m.form.inputs[fieldVehicle].Reset()
		}
		m.form.setFocus(fieldVehicle)
		m.state = stateForm
		return m, nil
	case navOpen:
		return m.openRow(n.r)
	case navLookup:
		return m.lookupTyped(n.vehicle)
	case navBack:
		return m.showHome()
	}
	return m, nil
}

// lookupTyped looks up a vehicle typed on home with the default operator
// and registration ID; without a default operator the form asks for one.
func (m model) lookupTyped(vehicle string) (model, tea.Cmd) {
	v, _, err := client.NormalizeVehicle(vehicle)
	if err != nil {
		return m, nil
	}
	m.form.setVehicle(v)
	// The form's checks: a missing operator, or a vehicle that does not
	// match its operator's vehicle_regex, is shown there (enter again
	// sends anyway).
	req, ok := m.form.validate(false)
	if !ok {
		m.state = stateForm
		return m, nil
	}
	m.origin = stateHome
	return m.startForeground(req)
}

// showHome makes home visible, re-reads the store and watches it.
func (m model) showHome() (model, tea.Cmd) {
	m.bg.stop()
	m.state = stateHome
	m.resize()
	m.home.updateKeymap()
	m, watch := m.watch()
	return m, tea.Batch(reloadCmd(m.c.Store), watch)
}

// watch starts checking the store every poll interval while home is on
// screen, so other sessions' changes appear without a key; a new watch
// replaces the last one.
func (m model) watch() (model, tea.Cmd) {
	m.pollSeq++
	return m, pollCmd(m.c.Poll, m.pollSeq)
}

// pollCmd waits d, then asks for a check of the store (nil when d is 0).
func pollCmd(d time.Duration, seq int) tea.Cmd {
	if d <= 0 {
		return nil
	}
	return tea.Tick(d, func(time.Time) tea.Msg { return pollMsg{seq: seq} })
}

// poll checks the store (two stats and two small reads when nothing
// changed, so an idle home writes nothing) and waits for the next check.
func (m model) poll(msg pollMsg) (model, tea.Cmd) {
	if msg.seq != m.pollSeq || m.state != stateHome || m.c.Store == nil {
		return m, nil
	}
	return m, tea.Batch(reloadCmd(m.c.Store), pollCmd(m.c.Poll, m.pollSeq))
}

// quit cancels whatever runs and ends the program, after recording what
// refresh-all looked up and has not written yet.
func (m model) quit() (model, tea.Cmd) {
	m.fg.stop()
	m.bg.stop()
	m.quitting = true
	if r := m.home.run; r != nil {
		r.cancel()
		if len(r.unwritten) > 0 {
			flush := recordCmd(m.c.Store, r.unwritten...)
			r.unwritten = nil
			return m, tea.Sequence(flush, tea.Quit)
		}
	}
	return m, tea.Quit
}

// startForeground shows the loading view and starts a lookup.
func (m model) startForeground(req client.Request) (model, tea.Cmd) {
	m.fg.stop()
	m.bg.stop()
	m.form.prefill(req)
	cmd := m.fetch(req, &m.fg)
	m.loading = newLoading(m.c, req)
	m.state = stateLoading
	return m, tea.Batch(m.loading.spin.Tick, cmd)
}

// openRow shows a saved account or recent lookup: its cached snapshot at
// once plus a background refresh, or a plain lookup when nothing is cached.
func (m model) openRow(r *row) (model, tea.Cmd) {
	req := m.c.withDefaults(r.req)
	if r.snap == nil {
		m.origin = stateHome
		return m.startForeground(req)
	}
	m.fg.stop()
	m.bg.stop()
	m.form.prefill(req)
	cmd := m.fetch(req, &m.bg)
	m.result = newCachedResult(m.c, req, r.snap, m.home.labelFor(r.req.CANumber))
	m.state = stateResult
	m.resize()
	return m, cmd
}

// refreshCard looks the card's vehicle up again in the background; the
// card stays on screen and updates in place.
func (m model) refreshCard(req client.Request) (model, tea.Cmd) {
	m.bg.stop()
	cmd := m.fetch(req, &m.bg)
	m.result.refreshing = true
	m.result.updateKeymap()
	return m, cmd
}

// fetch starts a lookup tracked by f and returns its command.
func (m *model) fetch(req client.Request, f *inflight) tea.Cmd {
	m.seq++
	id := m.seq
	ctx, cancel := context.WithTimeout(m.c.ctx, m.c.timeout())
	*f = inflight{id: id, cancel: cancel}
	fetcher := m.c.Fetcher
	m.c.log.Printf("fetch %d start: %s operator %d", id, req.CANumber, req.Operator)
	return func() tea.Msg {
		defer cancel()
		if fetcher == nil {
			return fetchDoneMsg{id: id, req: req, err: errors.New("no fetcher configured")}
		}
		res, err := fetcher.Fetch(ctx, req)
		return fetchDoneMsg{id: id, req: req, res: res, err: err}
	}
}

// fetchDone routes a lookup's answer; stale answers are dropped.
func (m model) fetchDone(msg fetchDoneMsg) (model, tea.Cmd) {
	logOutcome(m.c.log, msg)
	switch {
	case msg.id != 0 && msg.id == m.fg.id:
		m.fg.stop()
		return m.foregroundDone(msg)
	case msg.id != 0 && msg.id == m.bg.id && m.state == stateResult:
		m.bg.stop()
		m.result = m.result.refreshed(msg.res, msg.err)
		return m, m.record(msg)
	}
	m.c.log.Printf("fetch %d: stale answer dropped", msg.id)
	return m, nil
}

// record adds a finished lookup to history; a cancelled one is not recorded.
func (m model) record(msg fetchDoneMsg) tea.Cmd {
	if ce, ok := errors.AsType[*client.Error](msg.err); ok && ce.Kind == client.KindCancelled {
		return nil
	}
	return recordCmd(m.c.Store, store.NewLookup(msg.req, msg.res, msg.err, m.c.Now()))
}

// logOutcome writes one debug-log line about a finished lookup. Error texts
// from the client are single-line and hold no secrets.
func logOutcome(l *log.Logger, msg fetchDoneMsg) {
	var latency time.Duration
	status := 0
	if msg.res != nil {
		latency, status = msg.res.Latency, msg.res.HTTPStatus
	}
	if msg.err == nil {
		l.Printf("fetch %d done: ok, HTTP %d, code %d, %v", msg.id, status, msg.res.Consumer.ResponseCode, latency)
		return
	}
	kind, _ := store.FailureOf(msg.err)
	l.Printf("fetch %d done: %s, HTTP %d, %v: %s", msg.id, kind, status, latency, oneLineError(msg.err))
}

// foregroundDone shows the answer of the lookup the loading view waited for.
func (m model) foregroundDone(msg fetchDoneMsg) (model, tea.Cmd) {
	if ve, ok := errors.AsType[*client.ValidationError](msg.err); ok {
		m.form.fieldError(ve)
		m.state = stateForm
		return m, nil
	}
	rec := m.record(msg)
	if msg.err != nil {
		m.errv = newErrorView(m.c, msg.req, msg.err)
		m.state = stateError
		return m, rec
	}
	m.result = newResult(m.c, msg.req, msg.res, m.home.labelFor(msg.req.CANumber))
	m.state = stateResult
	m.resize()
	return m, rec
}

// storeDone applies the store's data after a read or write; a problem
// becomes the banner on home and, for a write from the card, its status.
func (m model) storeDone(msg storeMsg) (model, tea.Cmd) {
	if !msg.changed && msg.err == nil && msg.note == "" {
		return m, nil // the poll found nothing new: nothing to draw
	}
	if msg.changed {
		m.home.setData(msg.data)
	}
	if ge, ok := errors.AsType[goneError](msg.err); ok {
		m.home.forgetUndo(ge.id)
	}
	if msg.err != nil && !msg.refused {
		problem := "store: " + oneLineError(msg.err)
		m.c.log.Print(problem)
		m.home.setBanner(append(append([]string(nil), m.notices...), problem))
	} else if msg.err == nil {
		m.home.setBanner(m.notices)
	}
	switch {
	case msg.note == "":
	case m.state == stateResult && msg.err != nil:
		m.result.status, m.result.statusErr = storeFailure(msg), true
	case m.state == stateResult:
		m.result.status, m.result.statusErr = msg.note, false
		m.result.label = m.home.labelFor(m.result.req.CANumber)
	case msg.err != nil:
		m.home.status, m.home.bad = storeFailure(msg), true
	default:
		m.home.status, m.home.bad = msg.note, false
	}
	m.home.updateKeymap()
	return m, nil
}

// storeFailure words a failed write for the status line.
func storeFailure(msg storeMsg) string {
	if msg.refused {
		return oneLineError(msg.err)
	}
	return "not saved to disk: " + oneLineError(msg.err)
}

// resize hands the body size to the views that need it.
func (m *model) resize() {
	w, h := max(0, m.c.width-2), max(0, m.c.height-1-footerLines) // between header and footer
	m.form.setSize(w)
	m.home.setSize(w, h)
	m.result.setSize(w, h)
}

// footerLines is the height of every view's footer (status + help).
const footerLines = 2

// View implements tea.Model.
func (m model) View() (out string) {
	defer func() {
		if r := recover(); r != nil {
			m.c.crash.set(&crashInfo{value: r, stack: debug.Stack()})
			out = ""
		}
	}()
	if m.crashed != nil {
		return ""
	}
	w, h := m.c.width, m.c.height
	if w == 0 && h == 0 {
		return ""
	}
	if w < minWidth || h < minHeight {
		return tooSmall(m.c.g, w)
	}
	var body, status string
	var keys help.KeyMap
	switch m.state {
	case stateForm:
		body, status, keys = m.form.View(), m.form.statusLine(), m.form.keys
	case stateLoading:
		body, keys = m.loading.View(), m.c.keys.Loading
	case stateResult:
		body, status, keys = m.result.View(), m.result.statusLine(), m.result.keys
	case stateError:
		body, keys = m.errv.View(), m.errv.keys
	case stateHome:
		body, status, keys = m.home.View(), m.home.statusLine(), m.home.keys
	}
	return m.frame(body, status, m.c.renderHelp(keys))
}

// frame lays out header, body, status and help to exactly the terminal
// size: every line is truncated to the width, the body is clipped or padded.
func (m model) frame(body, status, help string) string {
	w, h := m.c.width, m.c.height
	inner := max(0, w-2)
	footer := append([]string{status}, splitLines(help)...)
	bodyH := max(0, h-1-len(footer))
	bl := append(splitLines(body), make([]string, bodyH)...)[:bodyH] // clipped or padded
	lines := slices.Concat([]string{m.header(inner)}, bl, footer)
	lines = lines[:min(len(lines), h)]
	for i, l := range lines {
		// Trailing blanks (the viewport pads with them) carry nothing: the
		// renderer clears the rest of each line.
		// Under a locale that is not UTF-8 nothing else may reach the
		// terminal (a name typed into an input is shown as "?").
		lines[i] = m.c.g.Styled(" " + m.c.g.Truncate(strings.TrimRight(l, " "), inner))
	}
	return strings.Join(lines, "\n")
}

// tooSmall is the one-line message shown below the minimum size, in the
// longest wording that fits width w.
func tooSmall(g text.Glyphs, w int) string {
	need := fmt.Sprintf("%d%s%d", minWidth, g.Times, minHeight)
	for _, msg := range []string{"terminal too small (need " + need + ")", "too small (need " + need + ")", "need " + need} {
		if text.Width(msg) <= w {
			return msg
		}
	}
	return g.Truncate("need "+need, w)
}

// header is the title line with the DEMO badge.
func (m model) header(w int) string {
	s := m.c.styles
	title := s.Title.Render("aopfetch")
	if m.c.Demo {
		title += " " + s.Demo.Render("DEMO")
	}
	right := s.Subtle.Render([...]string{stateForm: "new lookup", stateLoading: "fetching", stateResult: "result",
		stateError: "error", stateHome: "home"}[m.state])
	gap := w - text.Width(title) - text.Width(right)
	if gap < 1 {
		return title
	}
	return title + strings.Repeat(" ", gap) + right
}

// splitLines splits s into lines; "" is no line at all.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// sanitizeAll sanitises every string of ss, dropping empty and repeated ones.
func sanitizeAll(g text.Glyphs, ss []string) []string {
	out := make([]string, 0, len(ss))
	seen := make(map[string]bool, len(ss))
	for _, s := range ss {
		if s = g.Sanitize(s); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// guard wraps cmd so a panic in it becomes a crashMsg instead of killing
// the process with the terminal in raw mode.
func guard(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = crashMsg{info: &crashInfo{value: r, stack: debug.Stack()}}
			}
		}()
		msg = cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			for i := range b {
				b[i] = guard(b[i])
			}
		}
		return msg
	}
}
