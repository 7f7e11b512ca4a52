package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
)

// Form fields, in tab order.
const (
	fieldOperator = iota
	fieldVehicle
	fieldRegistration
	fieldCount
)

// Character limits of the inputs: a pasted 10 KB line stays harmless.
const (
	operatorCharLimit     = 9
	vehicleCharLimit      = 24
	registrationCharLimit = 64
)

// formModel is the lookup form.
type formModel struct {
	c      *common
	keys   formKeys
	inputs [fieldCount]textinput.Model
	focus  int
	errs   [fieldCount]string
	warned string // the vehicle number whose soft warning was shown
	warn   string
	status string // one-line status, e.g. "cancelled"
	banner []string
}

// newForm builds the form prefilled with r.
func newForm(c *common, r client.Request) formModel {
	f := formModel{c: c, keys: c.keys.Form}
	limits := [fieldCount]int{operatorCharLimit, vehicleCharLimit, registrationCharLimit}
	placeholders := [fieldCount]string{"e.g. 311", "e.g. DL12CB4685", "e.g. AOP-554"}
	for i := range f.inputs {
		f.inputs[i] = newInput(c, limits[i])
		f.inputs[i].Placeholder = placeholders[i]
	}
	f.prefill(r)
	// The vehicle first, even without a default operator: an agent types
	// the plate at once; a missing operator is asked for at submit.
	f.setFocus(fieldVehicle)
	return f
}

// prefill sets the inputs from r; the vehicle is kept when r has none.
func (f *formModel) prefill(r client.Request) {
	if r.Operator != 0 {
		f.inputs[fieldOperator].SetValue(strconv.Itoa(r.Operator))
	}
	if r.CANumber != "" {
		f.inputs[fieldVehicle].SetValue(r.CANumber)
		f.inputs[fieldVehicle].CursorEnd()
	}
	if r.RegistrationID != "" {
		f.inputs[fieldRegistration].SetValue(r.RegistrationID)
	}
	f.errs = [fieldCount]string{}
	f.warn, f.warned, f.status = "", "", ""
}

// setVehicle replaces the vehicle input.
func (f *formModel) setVehicle(v string) {
	f.inputs[fieldVehicle].SetValue(v)
	f.inputs[fieldVehicle].CursorEnd()
	f.setFocus(fieldVehicle)
}

// setFocus moves the focus to field i.
func (f *formModel) setFocus(i int) {
	f.focus = (i + fieldCount) % fieldCount
	for j := range f.inputs {
		if j == f.focus {
			f.inputs[j].Focus()
		} else {
			f.inputs[j].Blur()
		}
	}
	f.updateKeymap()
}

// updateKeymap enables exactly the keys that work now: the operator keys
// where operators are configured and the operator field has the focus.
func (f *formModel) updateKeymap() {
	k := f.c.keys.Form
	enable(f.c.Config != nil && len(f.c.Config.Operators) > 0 && f.focus == fieldOperator, &k.OpNext, &k.OpPrev)
	f.keys = k
}

// fieldError shows a validation error from the client under its field.
func (f *formModel) fieldError(ve *client.ValidationError) {
	i := fieldVehicle
	switch ve.Field {
	case client.FieldOperator:
		i = fieldOperator
	case client.FieldRegistrationID:
		i = fieldRegistration
	}
	f.errs[i] = text.Sanitize(ve.Message)
	f.setFocus(i)
}

// Update handles keys of the form.
func (f formModel) Update(msg tea.Msg) (formModel, tea.Cmd, nav) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return f, nil, nil
	}
	f.status = ""
	f, cmd, n := f.key(km)
	f.updateKeymap()
	return f, cmd, n
}

// key handles one key of the form.
func (f formModel) key(km tea.KeyMsg) (formModel, tea.Cmd, nav) {
	k := f.keys
	switch {
	case key.Matches(km, k.Back):
		return f, nil, navBack{}
	case key.Matches(km, k.Submit):
		return f.submit()
	case key.Matches(km, k.Next):
		f.validateField(f.focus)
		f.setFocus(f.focus + 1)
	case key.Matches(km, k.Prev):
		f.validateField(f.focus)
		f.setFocus(f.focus - 1)
	case key.Matches(km, k.OpNext):
		f.cycleOperator(1)
	case key.Matches(km, k.OpPrev):
		f.cycleOperator(-1)
	default:
		return f.edit(km)
	}
	return f, nil, nil
}

// edit passes a key to the focused input.
func (f formModel) edit(km tea.KeyMsg) (formModel, tea.Cmd, nav) {
	var cmd tea.Cmd
	in := &f.inputs[f.focus]
	before := in.Value()
	*in, cmd = in.Update(km)
	if f.focus == fieldVehicle {
		if up := strings.ToUpper(in.Value()); up != in.Value() {
			pos := in.Position()
			in.SetValue(up)
			in.SetCursor(pos)
		}
	}
	if in.Value() != before {
		f.errs[f.focus] = ""
		if f.focus == fieldVehicle {
			f.warn = ""
		}
	}
	return f, cmd, nil
}

// cycleOperator steps through the configured operators.
func (f *formModel) cycleOperator(delta int) {
	if f.c.Config == nil || len(f.c.Config.Operators) == 0 {
		return
	}
	ops := f.c.Config.Operators
	cur, _ := strconv.Atoi(strings.TrimSpace(f.inputs[fieldOperator].Value()))
	idx := -1
	for i, o := range ops {
		if o.Code == cur {
			idx = i
		}
	}
	if idx < 0 && delta < 0 {
		idx = 0 // from none, back to the last
	}
	idx = (idx + delta + len(ops)) % len(ops)
	f.inputs[fieldOperator].SetValue(strconv.Itoa(ops[idx].Code))
	f.inputs[fieldOperator].CursorEnd()
	f.errs[fieldOperator] = ""
}

// check reads the inputs: the request, the vehicle's soft warning and the
// error of each field.
func (f *formModel) check() (r client.Request, warn string, errs [fieldCount]string) {
	var err [fieldCount]error
	r.Operator, err[fieldOperator] = f.c.Config.ResolveOperator(f.inputs[fieldOperator].Value())
	r.CANumber, warn, err[fieldVehicle] = client.NormalizeVehicle(f.inputs[fieldVehicle].Value())
	if w := f.c.Config.VehicleWarning(r.Operator, r.CANumber); w != "" && err[fieldVehicle] == nil {
		warn = w // the operator's own rule says more than the known formats
	}
	r.RegistrationID, err[fieldRegistration] = client.NormalizeRegistrationID(f.inputs[fieldRegistration].Value())
	for i, e := range err {
		if e != nil {
			errs[i] = oneLineError(e)
		}
	}
	return r, warn, errs
}

// validateField checks one field, unless blank, and records its error.
func (f *formModel) validateField(i int) {
	_, _, errs := f.check()
	if strings.TrimSpace(f.inputs[i].Value()) == "" {
		errs[i] = ""
	}
	f.errs[i] = errs[i]
}

// validate checks every field; it returns the request and whether it is
// ready to send. With confirm, a soft warning already shown counts as
// accepted.
func (f *formModel) validate(confirm bool) (client.Request, bool) {
	r, warn, errs := f.check()
	f.errs = errs
	for i, e := range f.errs {
		if e != "" {
			f.setFocus(i)
			return r, false
		}
	}
	if warn != "" && !(confirm && f.warned == r.CANumber) {
		f.warned, f.warn = r.CANumber, text.Sanitize(warn)
		f.setFocus(fieldVehicle)
		return r, false
	}
	return r, true
}

// submit validates and asks the root model to fetch.
func (f formModel) submit() (formModel, tea.Cmd, nav) {
	r, ok := f.validate(true)
	if !ok {
		return f, nil, nil
	}
	f.warn, f.warned = "", ""
	f.inputs[fieldVehicle].SetValue(r.CANumber)
	f.inputs[fieldVehicle].CursorEnd()
	return f, nil, navSubmit{req: r}
}

// request is the form's current request, unvalidated.
func (f formModel) request() client.Request {
	op, _ := strconv.Atoi(strings.TrimSpace(f.inputs[fieldOperator].Value()))
	return client.Request{
		Operator:       op,
		CANumber:       strings.TrimSpace(f.inputs[fieldVehicle].Value()),
		RegistrationID: strings.TrimSpace(f.inputs[fieldRegistration].Value()),
	}
}

// View renders the fields.
func (f formModel) View() string {
	s := f.c.styles
	w := max(0, f.c.width-2)
	labels, labelW, _ := formLayout(w)
	var b strings.Builder
	for _, l := range bannerLines(f.c.g, f.banner, w, 2) {
		b.WriteString(s.Banner.Render(l) + "\n")
	}
	if f.c.height >= 16 || len(f.banner) == 0 {
		b.WriteString("\n")
	}
	for i := range f.inputs {
		in := f.inputs[i]
		marker, ls := "  ", s.Blurred
		if i == f.focus {
			marker, ls = s.Focused.Render("> "), s.Focused
		}
		line := marker + ls.Render(text.Pad(labels[i], labelW)) + in.View()
		if i == fieldOperator {
			code, _ := strconv.Atoi(strings.TrimSpace(in.Value()))
			if n := f.c.operatorName(code); n != "" {
				line += "  " + s.Subtle.Render(n)
			}
		}
		b.WriteString(line + "\n")
		// The focused field's message wraps whole; the others keep one
		// line, so the fields below stay on a short terminal.
		under := func(st lipgloss.Style, msg string) string { return underField(st, msg, labelW+2, w, i == f.focus) }
		switch {
		case f.errs[i] != "":
			b.WriteString(under(s.Error, f.errs[i]))
		case i == fieldVehicle && f.warn != "":
			again := "press enter again to send anyway"
			if w < 60 {
				again = "enter again: send anyway"
			}
			b.WriteString(under(s.Warning, f.warn) + under(s.Warning, again))
		}
	}
	return b.String()
}

// underField places msg in st under an input: indented to it and, with
// wrap, wrapped to the body width w, else cut to one line.
func underField(st lipgloss.Style, msg string, indent, w int, wrap bool) string {
	room := max(1, w-indent)
	lines := []string{text.Truncate(msg, room)}
	if wrap {
		lines = strings.Split(ansi.WrapWc(msg, room, ""), "\n")
	}
	var b strings.Builder
	for _, line := range lines {
		b.WriteString(strings.Repeat(" ", indent) + st.Render(line) + "\n")
	}
	return b.String()
}

// formLayout is the labels, the label width and the room for an input on
// a body w cells wide: shorter labels below 60 cells.
func formLayout(w int) (labels [fieldCount]string, labelW, inputW int) {
	labels, labelW = [fieldCount]string{"Operator", "Vehicle number", "Registration ID"}, 17
	if w < 60 {
		labels, labelW = [fieldCount]string{"Operator", "Vehicle", "Reg. ID"}, 10
	}
	return labels, labelW, max(1, w-labelW-3) // the cursor takes one more cell
}

// setSize fits the inputs to a body w cells wide; each input scrolls its
// value within its own width, keeping the cursor in view.
func (f *formModel) setSize(w int) {
	_, _, inputW := formLayout(w)
	for i, fw := range [fieldCount]int{10, 24, 40} {
		f.inputs[i].Width = min(inputW, fw)
		f.inputs[i].SetCursor(f.inputs[i].Position())
	}
}

// statusLine is the line above the help.
func (f formModel) statusLine() string {
	if f.status != "" {
		return f.c.styles.Warning.Render(f.status)
	}
	return ""
}
