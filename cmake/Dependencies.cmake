# Every dependency comes from a Debian 12 package (scripts/setup.sh installs them).
# Only what is linked today is looked up here; see ../shared/toolchain.md for the rest.
find_package(Threads REQUIRED)
find_package(tomlplusplus REQUIRED)   # tomlplusplus::tomlplusplus (shared library build)
find_package(spdlog REQUIRED)         # spdlog::spdlog (uses the packaged fmt)
find_package(Catch2 2 REQUIRED)       # Catch2::Catch2WithMain; adds catch_discover_tests
include(Catch)
