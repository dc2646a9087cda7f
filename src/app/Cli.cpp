#include "app/Cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <map>

#include "app/Config.hpp"
#include "app/ConfigLoader.hpp"
#include "app/Credentials.hpp"
#include "app/Server.hpp"
#include "auth/GrantSet.hpp"
#include "auth/KeyRing.hpp"
#include "auth/TokenIssuer.hpp"
#include "util/Log.hpp"
#include "util/Time.hpp"

namespace onair::app {
namespace {

// Flags for every config key, collected by key name; only flags actually given are applied.
struct ConfigFlags {
  std::string configFile;
  std::map<std::string, std::string> values;
  std::map<std::string, CLI::Option*> options;

  void addTo(CLI::App& cmd, bool allKeys) {
    cmd.add_option("--config", configFile, "TOML configuration file (also ONAIR_CONFIG)");
    for (const auto& k : ConfigLoader::keys()) {
      bool wanted = allKeys || k.name == "data_dir" || k.name == "log.level";
      if (!wanted) continue;
      options[k.name] = cmd.add_option(k.flag, values[k.name], fmt::format("{} (env {}, default {})", k.help, k.env,
                                                                         k.defaultValue.empty() ? "\"\"" : k.defaultValue))
                            ->group("Configuration (flag > env > file > default)")
                            ->type_name(k.type == "integer" ? "INT" : "TEXT");
    }
  }

  // default < file < env < flags
  Config load() const {
    Config config;
    std::string file = configFile;
    if (file.empty()) {
      if (const char* f = std::getenv("ONAIR_CONFIG"); f && *f) file = f;
    }
    if (!file.empty()) ConfigLoader::applyTomlFile(config, file);
    ConfigLoader::applyEnv(config, [](const char* name) { return std::getenv(name); });
    std::map<std::string, std::string> given;
    for (const auto& [name, opt] : options) {
      if (opt->count() > 0) given[name] = values.at(name);
    }
    ConfigLoader::applyValues(config, given, "flag");
    ConfigLoader::validate(config);
    return config;
  }
};

// "90", "90s", "15m", "1h", "7d" → seconds; -1 when unreadable.
int64_t parseDuration(const std::string& text) {
  if (text.empty()) return -1;
  size_t used = 0;
  int64_t n = 0;
  try {
    n = std::stoll(text, &used);
  } catch (...) {
    return -1;
  }
  std::string unit = text.substr(used);
  if (unit.empty() || unit == "s") return n;
  if (unit == "m") return n * 60;
  if (unit == "h") return n * 3600;
  if (unit == "d") return n * 86400;
  return -1;
}

int createToken(const ConfigFlags& flags, const std::string& user, const std::string& name, const std::string& ttlText,
                const std::vector<std::string>& grantTexts, const std::string& scope,
                const std::vector<std::string>& attrs, const std::string& keyId) {
  Config config = flags.load();
  Credentials::ensure(config, Credentials::Need::Keys);
  int64_t ttl = parseDuration(ttlText);
  if (ttl <= 0 || ttl > config.authMaxTokenTtlSeconds) {
    std::cerr << "onair: --ttl must be like 90s, 15m, 1h or 7d, at most auth.max_token_ttl_seconds ("
              << config.authMaxTokenTtlSeconds << " s)\n";
    return 2;
  }
  std::string error;
  auto grants = auth::GrantSet::fromStrings(grantTexts, error);
  if (!grants) {
    std::cerr << "onair: --grant: " << error << "\n";
    return 2;
  }
  auth::AccessClaims claims;
  claims.userId = user;
  claims.name = name;
  if (!scope.empty()) claims.scope = scope;
  claims.grants = std::move(*grants);
  for (const auto& a : attrs) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "onair: --attr must be key=value, got '" << a << "'\n";
      return 2;
    }
    claims.attributes[a.substr(0, eq)] = a.substr(eq + 1);
  }
  claims.issuedAt = claims.notBefore = util::epochSeconds();
  claims.expiresAt = claims.issuedAt + ttl;
  auth::KeyRing keys;
  for (const auto& k : config.keys) keys.add(k.key, k.secret);
  auto token = auth::TokenIssuer(keys).issue(claims, keyId.empty() ? std::nullopt : std::optional(keyId));
  if (auto* e = std::get_if<auth::IssueError>(&token)) {
    std::cerr << "onair: " << (e->reason == auth::IssueError::Reason::UnknownKey ? "--key: " : "") << e->message << "\n";
    return 2;
  }
  std::cout << std::get<std::string>(token) << "\n";
  std::cerr << "token for " << user << " signed with key " << (keyId.empty() ? config.keys.front().key : keyId)
            << ", expires " << util::isoTimeFromSeconds(claims.expiresAt) << "\n";
  return 0;
}

}  // namespace

int runCli(int argc, char** argv) {
  CLI::App app{
      "onair: a self-hosted realtime server. Live broadcasts, stages, WebRTC stream rooms, rooms and\n"
      "channels with presence and history, Yjs collaboration, and the tokens they need, in one binary.\n\n"
      "Start:        onair serve                 (http://127.0.0.1:7880, keys generated in ./data)\n"
      "Mint a token: onair token create --user alice --ttl 1h --grant 'room:project_*:publish,subscribe'\n"
      "Settings:     onair config reference      (every key, its flag and environment variable)\n",
      "onair"};
  app.require_subcommand(1);

  ConfigFlags serveFlags;
  auto* serve = app.add_subcommand("serve", "Run the server until SIGINT/SIGTERM (then close clients with 1001 and exit 0)");
  serveFlags.addTo(*serve, true);
  serve->footer(
      "\nSeveral nodes: run onair on each machine with the same Redis and the same API keys:\n"
      "  onair serve --engine redis --redis-url redis://10.0.0.5:6379 --http-host 0.0.0.0 \\\n"
      "              --node-announce-address 10.0.0.11:7880\n"
      "and put a load balancer that passes WebSocket upgrades in front (no sticky sessions needed).\n"
      "sys.stats and GET /v1/stats then sum over the live nodes and list them. Redis Cluster is not\n"
      "supported yet. See docs/operations.md, \"Running several nodes (Redis)\".");

  ConfigFlags tokenFlags;
  std::string user, name, ttl = "1h", scope, keyId;
  std::vector<std::string> grants, attrs;
  auto* token = app.add_subcommand("token", "Access tokens");
  token->require_subcommand(1);
  auto* create = token->add_subcommand("create", "Print a client access token signed with the configured API key");
  create->add_option("--user", user, "user id (the token's sub)")->required();
  create->add_option("--name", name, "display name");
  create->add_option("--ttl", ttl, "lifetime: 90s, 15m, 1h, 7d")->capture_default_str();
  create->add_option("--grant", grants,
                     "<surface>:<pattern>:<action>[,<action>…], repeatable; e.g. 'room:project_*:publish,subscribe', "
                     "'live:content:*:attach'. Surfaces: room channel live stage stream collab");
  create->add_option("--scope", scope, "tenant or organisation");
  create->add_option("--attr", attrs, "attribute key=value, repeatable");
  create->add_option("--key", keyId, "API key to sign with (default: the first configured)");
  tokenFlags.addTo(*create, false);

  auto* version = app.add_subcommand("version", "Print the version");
  auto* config = app.add_subcommand("config", "Configuration help");
  config->require_subcommand(1);
  auto* reference = config->add_subcommand("reference", "Print every configuration key as a Markdown table");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    if (*version) {
      std::cout << "onair " << ONAIR_VERSION << "\n";
      return 0;
    }
    if (*reference) {
      std::cout << ConfigLoader::referenceMarkdown();
      return 0;
    }
    if (*create) return createToken(tokenFlags, user, name, ttl, grants, scope, attrs, keyId);
    if (*serve) {
      Config cfg = serveFlags.load();
      util::initLogging(cfg.logFormat == "json" ? util::LogFormat::Json : util::LogFormat::Text, cfg.logLevel);
      Credentials::ensure(cfg);
      return Server::run(std::move(cfg), argv[0]);
    }
  } catch (const ConfigError& e) {
    std::cerr << "onair: configuration error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace onair::app
