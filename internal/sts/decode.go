package sts

import (
	"context"
	"net/http"

	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/awserr"
)

// DecodeAuthorizationMessage opens an encoded authorization message that iamd appended to an
// AccessDenied, for a caller of the account whose request was denied (the server has already
// checked sts:DecodeAuthorizationMessage). A message iamd did not issue, or one about another
// account's request, is refused without saying which.
func (s *Service) DecodeAuthorizationMessage(ctx context.Context, in *stsapi.DecodeAuthorizationMessageInput) (*stsapi.DecodeAuthorizationMessageOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	msg, err := s.cfg.Authz.DecodeMessage(in.EncodedMessage, p.Account())
	if err != nil {
		return nil, awserr.New(http.StatusBadRequest, "InvalidAuthorizationMessageException",
			"The error message could not be decoded. Verify that the message you are decoding is the same as the message you received from the operation.")
	}
	return &stsapi.DecodeAuthorizationMessageOutput{DecodedMessage: msg}, nil
}
