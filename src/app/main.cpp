#include "app/Cli.hpp"

int main(int argc, char** argv) { return onair::app::runCli(argc, argv); }
