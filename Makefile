# The two commands of the README: `make demo` and `make test`.
SWIFT_RELEASE = swift build -c release --static-swift-stdlib --product sds

.PHONY: setup build demo test unit interop bench reliability clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT_RELEASE)

demo: build
	scripts/demo.sh

# Every test: unit and end-to-end (Swift Testing, runs the built binary), real TensorFlow, then
# the reports in headless Chromium (screenshots in tests/report/artifacts/).
test: setup
	scripts/embed-hooks.sh
	git diff --exit-code -- Sources/SDSStore/HookScripts.swift || (echo "hooks/ changed: commit the regenerated HookScripts.swift" >&2; exit 1)
	scripts/embed-docs.sh
	git diff --exit-code -- Sources/SDSCommands/HelpDocs.swift || (echo "docs/ changed: commit the regenerated HelpDocs.swift" >&2; exit 1)
	swift build --build-tests
	SDS_PYTHON=$$(tests/interop/venv.sh) scripts/s3-local.sh run swift test --skip-build
	tests/interop/run.sh .build/debug/sds
	tests/report/run.sh .build/debug/sds
	tests/fuzz/run.sh $(FUZZ_SECONDS)

# Seconds per fuzz target in `make test`; the long form below runs 600.
FUZZ_SECONDS ?= 20

# The long forms of docs/reliability.md: each fuzz target 10 minutes, 200 kill -9 trials,
# the concurrent paths under ThreadSanitizer.
reliability: setup
	SDS_FUZZ_CONFIG=release tests/fuzz/run.sh 600
	tests/crash/kill9.sh 200
	tests/tsan/run.sh

bench:
	bench/store_bench.sh
	bench/tfrecord_bench.sh
	bench/array_record_bench.sh

clean:
	rm -rf .build .build-fuzz .build-tsan demo
