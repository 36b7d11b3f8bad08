#!/bin/sh
echo "coverage is unavailable in floe's offline Bazel setup (remote_coverage_tools is a stand-in)" >&2
exit 1
