package policy

import (
	"net/netip"
	"strings"
)

// IpAddress and NotIpAddress: the request's address (aws:SourceIp) against IPv4 or IPv6
// addresses and CIDR ranges. An IPv4-mapped IPv6 address counts as the IPv4 address.

type ipRange struct{ p netip.Prefix }

func parseIPRange(s string) (ipRange, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return ipRange{}, false
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return ipRange{p.Masked()}, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ipRange{}, false
	}
	a = a.Unmap()
	return ipRange{netip.PrefixFrom(a, a.BitLen())}, true
}

func matchIP(c *condition, v string) bool {
	a, err := netip.ParseAddr(v)
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("")
	for i := range c.values {
		if c.values[i].ok && c.values[i].ip.p.Contains(a) {
			return true
		}
	}
	return false
}
