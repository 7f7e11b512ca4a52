package ui

import (
	"reflect"

	"github.com/charmbracelet/lipgloss"
)

// styleType is the type of the fields onRenderer rebinds.
var styleType = reflect.TypeFor[lipgloss.Style]()

// onRenderer returns a copy of s with every style bound to r, so that it
// renders with the colour profile and background of r's terminal (an SSH
// session's under serve) instead of the process's. Every lipgloss.Style
// field is rebound, those of nested structs such as help.Styles too, so a
// style added to Styles needs nothing here.
func (s *Styles) onRenderer(r *lipgloss.Renderer) *Styles {
	out := *s
	rebind(reflect.ValueOf(&out).Elem(), r)
	return &out
}

// rebind binds the styles of the struct v to r.
func rebind(v reflect.Value, r *lipgloss.Renderer) {
	for i := range v.NumField() {
		f := v.Field(i)
		switch {
		case !f.CanSet():
		case f.Type() == styleType:
			f.Set(reflect.ValueOf(f.Interface().(lipgloss.Style).Renderer(r)))
		case f.Kind() == reflect.Struct:
			rebind(f, r)
		}
	}
}
