#pragma once
// Two DtlsTransports, a client and a server, wired to each other in memory: what one sends is
// queued and delivered to the other by pump(), which may drop datagrams to simulate loss. Each
// side has its own certificate, as two WebRTC peers do.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rtc/dtls/DtlsCertificate.hpp"
#include "rtc/dtls/DtlsContext.hpp"
#include "rtc/dtls/DtlsTransport.hpp"
#include "rtc/srtp/SrtpProfile.hpp"

namespace onair::rtc::dtls::testing {

// What one side's listener saw.
struct Endpoint : DtlsTransport::Listener {
  std::deque<std::vector<uint8_t>> outbox;
  size_t sentDatagrams = 0;
  bool connected = false;
  std::optional<srtp::SrtpProfile> profile;
  std::vector<uint8_t> localKey, remoteKey;
  std::optional<std::string> failure;
  bool closed = false;
  std::vector<std::vector<uint8_t>> received;

  void OnDtlsTransportSendData(DtlsTransport&, std::span<const uint8_t> datagram) override {
    outbox.emplace_back(datagram.begin(), datagram.end());
    ++sentDatagrams;
  }
  void OnDtlsTransportConnected(DtlsTransport&, srtp::SrtpProfile p, std::span<const uint8_t> local,
                                std::span<const uint8_t> remote) override {
    connected = true;
    profile = p;
    localKey.assign(local.begin(), local.end());
    remoteKey.assign(remote.begin(), remote.end());
  }
  void OnDtlsTransportFailed(DtlsTransport&, std::string_view reason) override { failure = std::string(reason); }
  void OnDtlsTransportClosed(DtlsTransport&) override { closed = true; }
  void OnDtlsTransportApplicationData(DtlsTransport&, std::span<const uint8_t> data) override {
    received.emplace_back(data.begin(), data.end());
  }
};

enum class Side { Client, Server };

struct DtlsPair {
  std::shared_ptr<const DtlsCertificate> clientCertificate = DtlsCertificate::generate();
  std::shared_ptr<const DtlsCertificate> serverCertificate = DtlsCertificate::generate();
  DtlsContext clientContext;
  DtlsContext serverContext;
  Endpoint clientEnd, serverEnd;
  DtlsTransport client;
  DtlsTransport server;

  explicit DtlsPair(DtlsTransport::Options options = {},
                    std::vector<srtp::SrtpProfile> clientProfiles = {srtp::SrtpProfile::AeadAes128Gcm,
                                                                     srtp::SrtpProfile::AesCm128HmacSha1_80})
      : clientContext(clientCertificate, std::move(clientProfiles)),
        serverContext(serverCertificate),
        client(clientContext, clientEnd, options),
        server(serverContext, serverEnd, options) {}

  // Starts both sides, each expecting the other's real fingerprint unless told otherwise.
  void start(std::optional<DtlsFingerprint> clientExpects = std::nullopt,
             std::optional<DtlsFingerprint> serverExpects = std::nullopt) {
    server.start(DtlsTransport::Role::Server, serverExpects.value_or(clientCertificate->fingerprint()));
    client.start(DtlsTransport::Role::Client, clientExpects.value_or(serverCertificate->fingerprint()));
  }

  // Delivers queued datagrams both ways until none is left. `drop` returns true for a datagram
  // to lose on the way.
  void pump(const std::function<bool(Side from, const std::vector<uint8_t>&)>& drop = {}) {
    while (!clientEnd.outbox.empty() || !serverEnd.outbox.empty()) {
      deliver(clientEnd, server, Side::Client, drop);
      deliver(serverEnd, client, Side::Server, drop);
    }
  }

  bool bothConnected() const { return clientEnd.connected && serverEnd.connected; }

 private:
  static void deliver(Endpoint& from, DtlsTransport& to, Side side,
                      const std::function<bool(Side, const std::vector<uint8_t>&)>& drop) {
    while (!from.outbox.empty()) {
      auto datagram = std::move(from.outbox.front());
      from.outbox.pop_front();
      if (drop && drop(side, datagram)) continue;
      to.receive(datagram);
    }
  }
};

}  // namespace onair::rtc::dtls::testing
