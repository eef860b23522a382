package sctpdial

import "strconv"

// enumName returns names[v], or "Type(v)" for a value without a name, as
// the String methods of the kernel's enums print them.
func enumName[T ~int32 | ~uint16](v T, names []string, typ string) string {
	if v >= 0 && int(v) < len(names) {
		return names[v]
	}
	return typ + "(" + strconv.Itoa(int(v)) + ")"
}
