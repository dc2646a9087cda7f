#include "engine/sqlite/SqliteHistory.hpp"

#include <chrono>

#include "util/Random.hpp"

namespace onair::engine::sqlite {
namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

constexpr int64_t kExpiryEveryMs = 10'000;
constexpr size_t kMaxCachedStreams = 100'000;

// What an idempotency key remembers of its message, to tell a retry (same digest) from a key
// reused for another message. FNV-1a over type and data: stable across builds and restarts.
int64_t payloadDigest(const std::string& type, const std::string& dataJson) {
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](unsigned char c) { h = (h ^ c) * 1099511628211ull; };
  for (char c : type) mix(static_cast<unsigned char>(c));
  mix(0);  // ("ab", "c") and ("a", "bc") differ
  for (char c : dataJson) mix(static_cast<unsigned char>(c));
  return static_cast<int64_t>(h);
}

}  // namespace

struct SqliteHistory::Statements {
  explicit Statements(sqlite3* db)
      : selectStream(db, "SELECT epoch, head FROM streams WHERE name = ?1"),
        insertStream(db, "INSERT INTO streams(name, epoch, head) VALUES(?1, ?2, 0)"),
        updateHead(db, "UPDATE streams SET head = ?2 WHERE name = ?1"),
        insertMessage(db, "INSERT INTO messages(stream, offset, ts, expires, publisher, type, data) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        selectKey(db, "SELECT offset, ts, digest FROM idempotency_keys WHERE stream = ?1 AND publisher = ?2 AND key = ?3 AND expires > ?4"),
        upsertKey(db, "INSERT OR REPLACE INTO idempotency_keys(stream, publisher, key, offset, ts, expires, digest) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        trim(db, "DELETE FROM messages WHERE stream = ?1 AND offset <= ?2"),
        readForward(db, "SELECT offset, ts, publisher, type, data FROM messages WHERE stream = ?1 AND offset >= ?2 AND expires > ?4 ORDER BY offset ASC LIMIT ?3"),
        readBackward(db, "SELECT offset, ts, publisher, type, data FROM messages WHERE stream = ?1 AND offset <= ?2 AND expires > ?4 ORDER BY offset DESC LIMIT ?3"),
        oldest(db, "SELECT MIN(offset) FROM messages WHERE stream = ?1 AND expires > ?2"),
        deleteStream(db, "DELETE FROM streams WHERE name = ?1"),
        deleteMessages(db, "DELETE FROM messages WHERE stream = ?1"),
        deleteKeys(db, "DELETE FROM idempotency_keys WHERE stream = ?1"),
        expireMessages(db, "DELETE FROM messages WHERE expires <= ?1"),
        expireKeys(db, "DELETE FROM idempotency_keys WHERE expires <= ?1") {}
  Statement selectStream, insertStream, updateHead, insertMessage, selectKey, upsertKey, trim, readForward,
      readBackward, oldest, deleteStream, deleteMessages, deleteKeys, expireMessages, expireKeys;
};

SqliteHistory::SqliteHistory(SqliteStore& store) : store_(store) {
  store_.addPreCommitHook([this](sqlite3* db) { flushHeads(db); });
}

SqliteHistory::~SqliteHistory() = default;

SqliteHistory::StreamInfo& SqliteHistory::streamInfo(sqlite3* db, const std::string& stream) {
  if (!sql_) sql_ = std::make_unique<Statements>(db);
  auto it = streams_.find(stream);
  if (it != streams_.end()) return it->second;
  // The cache follows use: past kMaxCachedStreams, forget the clean entries (the database has them).
  if (streams_.size() >= kMaxCachedStreams) std::erase_if(streams_, [this](const auto& e) { return !dirty_.count(e.first); });
  StreamInfo info;
  auto& select = sql_->selectStream.bind(1, stream);
  if (select.step()) {
    info.epoch = select.columnText(0);
    info.head = info.headStored = static_cast<uint64_t>(select.columnInt(1));
    select.reset();
  } else {
    select.reset();
    info.epoch = util::randomId("", 6);
    sql_->insertStream.bind(1, stream).bind(2, info.epoch).run();
  }
  return streams_.emplace(stream, std::move(info)).first->second;
}

void SqliteHistory::flushHeads(sqlite3* db) {
  if (!sql_) return;
  for (const auto& name : dirty_) {
    auto it = streams_.find(name);
    if (it == streams_.end()) continue;
    auto& info = it->second;
    sql_->updateHead.bind(1, name).bind(2, static_cast<int64_t>(info.head)).run();
    info.headStored = info.head;
    // Retention by count: one delete per stream per batch, not per message.
    if (info.maxMessages > 0 && info.head > info.maxMessages) {
      sql_->trim.bind(1, name).bind(2, static_cast<int64_t>(info.head - info.maxMessages)).run();
    }
  }
  dirty_.clear();
  expireOld(db, nowMs());
}

void SqliteHistory::expireOld(sqlite3*, int64_t now) {
  if (now - lastExpiryMs_ < kExpiryEveryMs) return;
  lastExpiryMs_ = now;
  sql_->expireMessages.bind(1, now).run();
  sql_->expireKeys.bind(1, now).run();
}

void SqliteHistory::append(AppendRequest request, std::function<void(Outcome<AppendResult>)> done) {
  auto shared = std::make_shared<std::function<void(Outcome<AppendResult>)>>(std::move(done));
  store_.submit(
      [this, request = std::move(request), shared](sqlite3* db) -> SqliteStore::Completion {
        auto& info = streamInfo(db, request.stream);
        const int64_t now = nowMs();
        AppendResult result;
        result.epoch = info.epoch;
        // A retried publish: answer with the original, store nothing.
        const int64_t digest = request.idempotencyKey ? payloadDigest(request.type, request.dataJson) : 0;
        if (request.idempotencyKey) {
          auto& key = sql_->selectKey.bind(1, request.stream).bind(2, request.publisher).bind(3, *request.idempotencyKey).bind(4, now);
          if (key.step()) {
            result.offset = static_cast<uint64_t>(key.columnInt(0));
            result.timestampMs = key.columnInt(1);
            result.duplicate = true;
            result.conflict = !key.columnIsNull(2) && key.columnInt(2) != digest;
            key.reset();
            return [shared, result](bool ok) {
              if (ok) (*shared)(result);
              else (*shared)(EngineError{"history commit failed"});
            };
          }
          key.reset();
        }
        const uint64_t offset = info.head + 1;
        const int64_t ttlMs = request.retention.ttlSeconds * 1000;
        sql_->insertMessage.bind(1, request.stream)
            .bind(2, static_cast<int64_t>(offset))
            .bind(3, now)
            .bind(4, now + ttlMs)
            .bind(5, request.publisher)
            .bind(6, request.type)
            .bind(7, request.dataJson)
            .run();
        if (request.idempotencyKey) {
          sql_->upsertKey.bind(1, request.stream)
              .bind(2, request.publisher)
              .bind(3, *request.idempotencyKey)
              .bind(4, static_cast<int64_t>(offset))
              .bind(5, now)
              .bind(6, now + request.retention.idempotencySeconds * 1000)
              .bind(7, digest)
              .run();
        }
        info.head = offset;
        info.maxMessages = request.retention.maxMessages;
        dirty_.insert(request.stream);
        result.offset = offset;
        result.timestampMs = now;
        return [this, shared, result, stream = request.stream](bool ok) {
          if (ok) return (*shared)(result);
          streams_.erase(stream);  // the cache ran ahead of the database: reload next time
          (*shared)(EngineError{"history commit failed"});
        };
      },
      [this, shared, stream = request.stream](const std::string& message) {
        streams_.erase(stream);  // the job's writes were rolled back
        (*shared)(EngineError{message});
      });
}

void SqliteHistory::read(ReadRequest request, std::function<void(Outcome<ReadResult>)> done) {
  auto shared = std::make_shared<std::function<void(Outcome<ReadResult>)>>(std::move(done));
  store_.submit(
      [this, request = std::move(request), shared](sqlite3* db) -> SqliteStore::Completion {
        auto& info = streamInfo(db, request.stream);
        const int64_t now = nowMs();
        ReadResult result;
        result.head = {info.head, info.epoch};
        auto& oldest = sql_->oldest.bind(1, request.stream).bind(2, now);
        result.oldest = (oldest.step() && !oldest.columnIsNull(0)) ? static_cast<uint64_t>(oldest.columnInt(0)) : info.head + 1;
        oldest.reset();
        uint64_t from = request.from;
        if (!request.forward && (from == 0 || from > info.head)) from = info.head;
        auto& q = request.forward ? sql_->readForward : sql_->readBackward;
        q.bind(1, request.stream).bind(2, static_cast<int64_t>(from)).bind(3, static_cast<int64_t>(request.limit)).bind(4, now);
        size_t bytes = 0;
        while ((result.messages.empty() || bytes < request.maxBytes) && q.step()) {
          StreamMessage m;
          m.offset = static_cast<uint64_t>(q.columnInt(0));
          m.timestampMs = q.columnInt(1);
          m.publisher = q.columnText(2);
          m.type = q.columnText(3);
          m.dataJson = q.columnText(4);
          bytes += m.dataJson.size();
          result.messages.push_back(std::move(m));
        }
        q.reset();
        return [this, shared, result = std::move(result), stream = request.stream](bool ok) mutable {
          if (ok) return (*shared)(std::move(result));
          streams_.erase(stream);  // a stream this read created was rolled back
          (*shared)(EngineError{"history read failed"});
        };
      },
      [this, shared, stream = request.stream](const std::string& message) {
        streams_.erase(stream);
        (*shared)(EngineError{message});
      });
}

void SqliteHistory::trim(TrimRequest request, std::function<void(Outcome<Done>)> done) {
  auto shared = std::make_shared<std::function<void(Outcome<Done>)>>(std::move(done));
  store_.submit(
      [this, request = std::move(request), shared](sqlite3* db) -> SqliteStore::Completion {
        if (!sql_) sql_ = std::make_unique<Statements>(db);
        // Only the epoch named: a stream that started over keeps its new messages.
        auto cached = streams_.find(request.stream);
        std::string epoch;
        if (cached != streams_.end()) {
          epoch = cached->second.epoch;
        } else {
          auto& select = sql_->selectStream.bind(1, request.stream);
          if (select.step()) epoch = select.columnText(0);
          select.reset();
        }
        if (!epoch.empty() && epoch == request.epoch) {
          sql_->trim.bind(1, request.stream).bind(2, static_cast<int64_t>(request.through)).run();
        }
        return [shared](bool ok) {
          if (ok) (*shared)(Done{});
          else (*shared)(EngineError{"history trim failed"});
        };
      },
      [shared](const std::string& message) { (*shared)(EngineError{message}); });
}

void SqliteHistory::remove(std::string stream, std::function<void(Outcome<Done>)> done) {
  auto shared = std::make_shared<std::function<void(Outcome<Done>)>>(std::move(done));
  store_.submit(
      [this, stream = std::move(stream), shared](sqlite3* db) -> SqliteStore::Completion {
        if (!sql_) sql_ = std::make_unique<Statements>(db);
        sql_->deleteStream.bind(1, stream).run();
        sql_->deleteMessages.bind(1, stream).run();
        sql_->deleteKeys.bind(1, stream).run();
        streams_.erase(stream);
        dirty_.erase(stream);
        return [shared](bool ok) {
          if (ok) (*shared)(Done{});
          else (*shared)(EngineError{"history remove failed"});
        };
      },
      [shared](const std::string& message) { (*shared)(EngineError{message}); });
}

}  // namespace onair::engine::sqlite
