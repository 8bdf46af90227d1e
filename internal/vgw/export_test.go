package vgw

import "errors"

// IsProtocolError reports whether err is an error answer of the gateway's making (not iamd's).
func IsProtocolError(err error) bool {
	var ae *apiError
	return errors.As(err, &ae)
}
