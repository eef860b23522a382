package sctpdial

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// Per-association feature options, each a struct sctp_assoc_value
// (include/uapi/linux/sctp.h). On a connected one-to-one socket the kernel
// answers with asoc->peer.*_capable: what both ends agreed on
// (sctp_getsockopt_pr_supported and its siblings in net/sctp/socket.c).
const (
	sctpPRSupportedOpt           = 113 // SCTP_PR_SUPPORTED
	sctpReconfigSupportedOpt     = 117 // SCTP_RECONFIG_SUPPORTED
	sctpInterleavingSupportedOpt = 125 // SCTP_INTERLEAVING_SUPPORTED
	sctpASCONFSupportedOpt       = 128 // SCTP_ASCONF_SUPPORTED
	sctpAUTHSupportedOpt         = 129 // SCTP_AUTH_SUPPORTED
	sctpECNSupportedOpt          = 130 // SCTP_ECN_SUPPORTED
)

// featureOpts are the options of Features' fields, in field order.
var featureOpts = [len(featureNames)]int{
	sctpPRSupportedOpt, sctpReconfigSupportedOpt, sctpInterleavingSupportedOpt,
	sctpASCONFSupportedOpt, sctpAUTHSupportedOpt, sctpECNSupportedOpt,
}

// Features reads the protocol extensions the association negotiated.
// Features this kernel cannot report are listed in Features.Unknown
// rather than failing the call.
func (c *Conn) Features() (Features, error) {
	var f Features
	err := c.control("get", func(fd int) error {
		for i, p := range f.fields() {
			v, err := getAssocValue(fd, featureOpts[i], c.assoc)
			if errors.Is(err, unix.ENOPROTOOPT) {
				f.Unknown = append(f.Unknown, featureNames[i])
				continue
			}
			if err != nil {
				return os.NewSyscallError("getsockopt", err)
			}
			*p = v != 0
		}
		return nil
	})
	return f, err
}
