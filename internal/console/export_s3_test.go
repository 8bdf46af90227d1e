package console

// SetMaxUpload lowers the console's upload limit for a test, and returns the restoring func.
func SetMaxUpload(n int64) (restore func()) {
	old := maxUpload
	maxUpload = n
	return func() { maxUpload = old }
}
