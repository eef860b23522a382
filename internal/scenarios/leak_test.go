package scenarios_test

import (
	"testing"

	"github.com/sctpdial/sctpdial/internal/leakcheck"
)

// TestMain fails the run if the tests leave descriptors, goroutines or OS
// threads behind (see internal/leakcheck).
func TestMain(m *testing.M) { leakcheck.Main(m) }
