# Every dependency is a Debian 12 package (DESIGN.md §10); scripts/install-deps.sh installs them.
find_package(Threads REQUIRED)
find_package(Boost 1.81.0 EXACT CONFIG REQUIRED COMPONENTS json url)
find_package(OpenSSL 3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
# libjwt ships pkg-config only (DESIGN.md pitfalls).
pkg_check_modules(jwt REQUIRED IMPORTED_TARGET libjwt)
# libsrtp2 too (SRTP/SRTCP for the media plane, rtc/srtp/).
pkg_check_modules(srtp2 REQUIRED IMPORTED_TARGET libsrtp2)
# usrsctp too (SCTP for WebRTC data channels, rtc/sctp/); its .pc carries -DINET -DINET6, which
# usrsctp.h needs for its struct layouts.
pkg_check_modules(usrsctp REQUIRED IMPORTED_TARGET usrsctp)
# hiredis 0.14's CMake config is broken (DESIGN.md pitfalls): pkg-config only. Its RESP reader and
# command formatter are used by engine/redis/; the socket is driven by Asio.
pkg_check_modules(hiredis REQUIRED IMPORTED_TARGET hiredis)
# mimalloc replaces glibc's malloc in the onair binary (it has a CMake config but no .pc):
# ~20 % more operations per core on the request path (bench/live_churn).
find_package(mimalloc 2.0 REQUIRED)
