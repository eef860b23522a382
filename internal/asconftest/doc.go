// Package asconftest holds the tests of live address changes (ASCONF,
// RFC 5061) in the two-path topology of internal/netlab. It is its own
// test binary so that its guest boots beside the others. It has no API.
package asconftest
