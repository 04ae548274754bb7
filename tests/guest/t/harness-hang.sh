# Harness self-test: never finishes; the host's timeout must fail the run.
sleep 100000
