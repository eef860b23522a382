package vmtest

// The guest's parts, pinned here and nowhere else. Debian's cloud kernel is
// small (about 26 MB) and builds SCTP, veth and dummy as modules.
const (
	kernelPackage  = "linux-image-6.1.0-50-cloud-amd64"
	kernelVersion  = "6.1.176-1"
	busyboxPackage = "busybox-static"
)

// guestConfig is what the host tells the guest's init, as /vmexec/config.json.
type guestConfig struct {
	Args    []string // program (guest path) and its arguments
	Dir     string   // working directory
	Env     []string // environment of the program
	Modules []string // guest paths of kernel modules, in load order
	Files   []string // host paths the program may write, sent back after it exits
	Dirs    []string // directories among Files: created before the run
	Stdin   bool     // the program's stdin is the virtio port stdinPortName
}

// Markers framing the program's output on the serial console. Everything
// before begin is firmware and kernel noise.
const (
	markBegin   = "@@VMEXEC-BEGIN@@"
	markExit    = "@@VMEXEC-EXIT "
	markFile    = "@@VMEXEC-FILE "
	markFileEnd = "@@VMEXEC-FILE-END@@"
)

// outputFlags are test flags naming files or directories the test binary
// writes; their content is sent back to the host after the run.
var outputFlags = []string{
	"-test.testlogfile=", "-test.coverprofile=", "-test.cpuprofile=",
	"-test.memprofile=", "-test.blockprofile=", "-test.mutexprofile=",
	"-test.trace=", "-test.gocoverdir=", "-test.outputdir=",
}
