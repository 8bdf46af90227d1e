// Package e2e is the real-client end-to-end suite: it builds the iamd binary, runs it as users
// do (`iamd serve` on loopback with a temporary data directory) and drives it with unmodified AWS
// clients: boto3 and the aws CLI (the Python unittest suite in e2e/python) and aws-sdk-go-v2.
// It also checks the process's life cycle: first-start bootstrap, restart on the same data and a
// clean exit on SIGTERM. The package has no code outside its tests.
//
// The Python suite can also be run by hand against any running iamd whose account is
// 123456789012 and whose root key is in the environment:
//
//	AWS_ENDPOINT_URL=http://127.0.0.1:8777 AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… \
//	AWS_DEFAULT_REGION=us-east-1 python3 -m unittest discover -s e2e/python -v
package e2e
