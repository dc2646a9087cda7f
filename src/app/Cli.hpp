#pragma once
// The `onair` command line: serve, token create, config reference, version.
namespace onair::app {

// Parses argv and runs the chosen command; returns the process exit code.
int runCli(int argc, char** argv);

}  // namespace onair::app
