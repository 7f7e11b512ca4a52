// Package text is text for people: server strings made safe for a terminal,
// display widths and width-aware truncation, INR amounts, due dates and
// their "overdue by 3 days" wording, and plurals. The terminal UI and the
// command line both use it, so they never disagree.
//
// Every glyph that is not ASCII and that this module writes is one of the
// constants below. A terminal whose locale is not UTF-8 gets ASCII
// stand-ins instead ("Rs ", "-", "x", "..."): callers that print for a
// terminal hold a Glyphs value, chosen once at start-up with GlyphsFor,
// and format through it (Glyphs.Amount, Glyphs.Truncate, Glyphs.Text, ...);
// the package-level functions are the UTF-8 forms. (The bubbles components
// keep their own defaults, set where ui builds them.)
package text

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// The glyphs of text for people, in UTF-8.
const (
	Rupee    = "₹"   // before an amount: ₹1,000.00
	Sep      = " · " // between the parts of one line
	Yes      = "✓"   // a yes badge
	No       = "✗"   // a no badge, a failure
	Bullet   = "•"   // a due-soon mark
	Ellipsis = "…"   // ends truncated text, and text still in progress
	Dash     = "—"   // an empty value; a dash in a sentence
	Times    = "×"   // between a width and a height: 40×12
	Up       = "↑"   // the up arrow key
	Down     = "↓"   // the down arrow key
)

// Glyphs is the set of glyphs one terminal gets (see the package doc).
type Glyphs struct {
	Rupee, Sep, Yes, No, Bullet, Ellipsis, Dash, Times, Up, Down string
	// Bar and Track fill a progress bar (one cell each).
	Bar, Track rune
	ascii      bool
}

// UTF8Glyphs are the UTF-8 glyphs (the constants).
func UTF8Glyphs() Glyphs {
	return Glyphs{Rupee: Rupee, Sep: Sep, Yes: Yes, No: No, Bullet: Bullet, Ellipsis: Ellipsis,
		Dash: Dash, Times: Times, Up: Up, Down: Down, Bar: '█', Track: '░'}
}

// ASCIIGlyphs are the ASCII stand-ins: "Rs 1,000.00", " - ", "+", "x",
// "*", "...", "-", "x", "up", "down".
func ASCIIGlyphs() Glyphs {
	return Glyphs{Rupee: "Rs ", Sep: " - ", Yes: "+", No: "x", Bullet: "*", Ellipsis: "...",
		Dash: "-", Times: "x", Up: "up", Down: "down", Bar: '#', Track: '.', ascii: true}
}

// ASCII reports whether g prints ASCII only.
func (g Glyphs) ASCII() bool { return g.ascii }

// GlyphsFor picks the glyphs for the locale named by the environment
// (getenv is os.LookupEnv or a test's map): UTF-8 when the first of LC_ALL,
// LC_CTYPE and LANG that is set and not empty names UTF-8 as its character
// set, else ASCII. With none of them set the locale is C, as for tmux and
// every C program: ASCII.
func GlyphsFor(getenv func(string) (string, bool)) Glyphs {
	if LocaleIsUTF8(getenv) {
		return UTF8Glyphs()
	}
	return ASCIIGlyphs()
}

// LocaleIsUTF8 reports whether the locale the environment names uses UTF-8
// (see GlyphsFor).
func LocaleIsUTF8(getenv func(string) (string, bool)) bool {
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		v, _ := getenv(k)
		if v == "" {
			continue
		}
		cs := strings.ToLower(v)
		if _, after, ok := strings.Cut(cs, "."); ok {
			cs = after
		}
		cs, _, _ = strings.Cut(cs, "@")
		return cs == "utf-8" || cs == "utf8"
	}
	return false
}

// Text makes s printable with g: unchanged for UTF-8; for ASCII, the
// module's own glyphs become their stand-ins and every other character
// that is not printable ASCII becomes "?", so nothing the terminal cannot
// show (a consumer's name in Devanagari) shifts the columns. s must already
// be sanitised (see Sanitize).
func (g Glyphs) Text(s string) string {
	if !g.ascii || isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r == '\n':
			b.WriteByte('\n')
		default:
			b.WriteString(g.standIn(r))
		}
	}
	return b.String()
}

// standIn is g's stand-in of one of the module's glyphs (or of a common
// typographic character), else "?".
func (g Glyphs) standIn(r rune) string {
	switch string(r) {
	case Rupee:
		return g.Rupee
	case Yes:
		return g.Yes
	case No:
		return g.No
	case Bullet:
		return g.Bullet
	case Ellipsis:
		return g.Ellipsis
	case Dash:
		return g.Dash
	case Times:
		return g.Times
	case Up:
		return g.Up
	case Down:
		return g.Down
	case "·", "–": // the dot of Sep; an en dash
		return "-"
	case "“", "”":
		return `"`
	case "‘", "’":
		return "'"
	case "\u00a0":
		return " "
	}
	return "?"
}

// Sanitize is Sanitize followed by Text: a server string made safe for a
// single-line field of this terminal.
func (g Glyphs) Sanitize(s string) string { return g.Text(Sanitize(s)) }

// Amount is Amount with g's rupee sign.
func (g Glyphs) Amount(amount string) string { return g.Text(Amount(amount)) }

// Truncate is Truncate ending in g's ellipsis.
func (g Glyphs) Truncate(s string, width int) string { return truncate(s, width, g.Ellipsis) }

// Pad is Pad ending a cut in g's ellipsis.
func (g Glyphs) Pad(s string, width int) string {
	s = g.Truncate(s, width)
	return s + blanks(width-Width(s))
}

// PadLeft is Pad aligned right: padded on the left.
func (g Glyphs) PadLeft(s string, width int) string {
	s = g.Truncate(s, width)
	return blanks(width-Width(s)) + s
}

// Styled is Text for text with escape sequences (styles): they pass
// unchanged; what they style is made printable with g.
func (g Glyphs) Styled(s string) string {
	if !g.ascii || isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	var state byte
	for len(s) > 0 {
		seq, _, n, next := ansi.DecodeSequenceWc(s, state, nil)
		if n <= 0 {
			n, seq = len(s), s
		}
		if seq[0] == ansi.ESC || seq[0] == 0x9b {
			b.WriteString(seq)
		} else {
			b.WriteString(g.Text(seq))
		}
		s, state = s[n:], next
	}
	return b.String()
}
