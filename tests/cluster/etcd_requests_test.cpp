// The etcd gateway's request bodies, built without etcd: the election, the fenced write, the watch.
#include <catch2/catch.hpp>

#include <vector>

#include "cluster/etcd_requests.hpp"

using namespace ptp::cluster;
using nlohmann::json;

TEST_CASE("base64 round-trips every length and refuses what is not base64", "[etcd]") {
  CHECK(base64("/ptp/owner/a") == "L3B0cC9vd25lci9h");
  CHECK(base64("") == "");
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)})
    CHECK(unbase64(base64(s)) == s);
  CHECK_THROWS_AS(unbase64("abc"), std::invalid_argument);
  CHECK_THROWS_AS(unbase64("a*c="), std::invalid_argument);
}

TEST_CASE("a group's keys are per exchange and account and a prefix ends where its keys end", "[etcd]") {
  const GroupKeys k{"binance", "main"};
  CHECK(k.owner() == "/ptp/owner/binance/main");
  CHECK(k.member("node-a") == "/ptp/members/binance/main/node-a");
  CHECK(k.stage("binance:main:ETHUSDT:long#1", 2) == "/ptp/history/binance/main/stage/binance:main:ETHUSDT:long#1/2");
  CHECK(prefix_end("/ptp/history/") == "/ptp/history0");
  CHECK(prefix_end(std::string("a\xff", 2)) == "b");
}

TEST_CASE("the campaign creates the owner key with the lease only if nobody holds it", "[etcd]") {
  const json t = campaign_txn("/ptp/owner/a", "node1", 6267781596185640454);
  CHECK(t == json::parse(R"({"compare":[{"key":"L3B0cC9vd25lci9h","target":"CREATE","result":"EQUAL","create_revision":"0"}],
     "success":[{"request_put":{"key":"L3B0cC9vd25lci9h","value":"bm9kZTE=","lease":"6267781596185640454"}}],
     "failure":[{"request_range":{"key":"L3B0cC9vd25lci9h"}}]})"));
}

TEST_CASE("a fenced write holds only while the owner key keeps the create revision this node made", "[etcd]") {
  const json t = fenced_put_txn("/ptp/owner/a", 42, {{"k1", "v1"}, {"k2", std::string("\0", 1)}});
  CHECK(t["compare"] == json::parse(R"([{"key":"L3B0cC9vd25lci9h","target":"CREATE","result":"EQUAL","create_revision":"42"}])"));
  REQUIRE(t["success"].size() == 2);
  CHECK(t["success"][0] == json::parse(R"({"request_put":{"key":"azE=","value":"djE="}})"));
  CHECK(t["success"][1]["request_put"]["value"] == "AA==");
  CHECK(t["failure"][0]["request_range"]["key"] == "L3B0cC9vd25lci9h");
}

TEST_CASE("watch lines decode puts and deletes and int64s written as strings", "[etcd]") {
  CHECK(watch_request("/ptp/owner/a", 7) == json::parse(R"({"create_request":{"key":"L3B0cC9vd25lci9h","start_revision":"7"}})"));
  CHECK(watch_request("/p/", 0, true)["create_request"]["range_end"] == base64("/p0"));
  const auto created = parse_watch_line(R"({"result":{"header":{"revision":"5"},"created":true}})");
  CHECK(created.created);
  CHECK(created.revision == 5);
  const auto put = parse_watch_line(
      R"({"result":{"header":{"revision":"9"},"events":[{"kv":{"key":"L3B0cC9vd25lci9h","create_revision":"9","mod_revision":"9","value":"bm9kZTE=","lease":"12"}}]}})");
  REQUIRE(put.events.size() == 1);
  CHECK_FALSE(put.events[0].deleted);
  CHECK(put.events[0].kv.value == "node1");
  CHECK(put.events[0].kv.create_revision == 9);
  CHECK(put.events[0].kv.lease == 12);
  const auto del = parse_watch_line(R"({"result":{"events":[{"type":"DELETE","kv":{"key":"L3B0cC9vd25lci9h","mod_revision":"10"}}]}})");
  REQUIRE(del.events.size() == 1);
  CHECK(del.events[0].deleted);
  CHECK(del.events[0].kv.key == "/ptp/owner/a");
  CHECK_FALSE(parse_watch_line(R"({"error":{"grpc_code":14}})").error.empty());
  CHECK_THROWS_AS(parse_watch_line("not json"), std::invalid_argument);
}
