package iamsvc

// TOTP is the RFC 6238 code of a time step, for tests that play the authenticator app.
var TOTP = totp
