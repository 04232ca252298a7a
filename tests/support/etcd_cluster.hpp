// A real 3-member etcd cluster (Debian's etcd-server) on free loopback ports with temporary data
// directories, started by the test that needs it and stopped afterwards. A member can be stopped
// on its own (a node losing the member it talks to). With Tls::client_certs the members serve
// https:// with a certificate from a CA made for the test (openssl) and require a client
// certificate from the same CA (etcd --client-cert-auth); tls_files() is what a node presents.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cluster/etcd_client.hpp"
#include "exchange/tls_files.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace ptp::test {

// A loopback TCP port nobody listens on right now (the OS picks it).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("no free port");
  ::close(fd);
  return ntohs(a.sin_port);
}

inline std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  dirs += ":/usr/sbin:/sbin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const auto end = std::min(dirs.find(':', start), dirs.size());
    const auto candidate = std::filesystem::path(dirs.substr(start, end - start)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  throw std::runtime_error(name + " is not installed (scripts/setup.sh installs etcd-server)");
}

class EtcdCluster {
 public:
  enum class Tls { none, client_certs };

  explicit EtcdCluster(int members = 3, Tls tls = Tls::none) : tls_(tls) {
    const std::string etcd = find_program("etcd");
    std::vector<std::string> tls_args;
    if (tls_ == Tls::client_certs) {
      make_certificates();
      tls_args = {"--cert-file", dir_.sub("server.pem"), "--key-file", dir_.sub("server.key"), "--client-cert-auth",
                  "--trusted-ca-file", dir_.sub("ca.pem")};
    }
    std::string initial;
    for (int i = 0; i < members; ++i) {
      client_ports_.push_back(free_port());
      peer_ports_.push_back(free_port());
      initial += (i ? "," : "") + name(i) + "=http://127.0.0.1:" + std::to_string(peer_ports_[i]);
    }
    for (int i = 0; i < members; ++i) {
      const std::string client = client_url(i), peer = "http://127.0.0.1:" + std::to_string(peer_ports_[i]);
      std::vector<std::string> args{etcd, "--name", name(i), "--data-dir", dir_.sub(name(i)),
                                    "--listen-client-urls", client, "--advertise-client-urls", client,
                                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                                    "--initial-cluster", initial, "--initial-cluster-state", "new",
                                    "--initial-cluster-token", "ptp-test-" + std::to_string(client_ports_[0]),
                                    "--log-level", "warn"};
      args.insert(args.end(), tls_args.begin(), tls_args.end());
      members_.push_back(std::make_unique<ChildProcess>(args, std::vector<std::string>{}, dir_.sub(name(i) + ".log")));
    }
    wait_ready(std::chrono::seconds(30));
  }

  std::string client_url(int i) const {
    return (tls_ == Tls::none ? "http://127.0.0.1:" : "https://127.0.0.1:") + std::to_string(client_ports_.at(i));
  }
  // The CA to trust and the client certificate to present (empty without TLS).
  exchange::TlsFiles tls_files() const {
    if (tls_ == Tls::none) return {};
    return {dir_.sub("ca.pem"), dir_.sub("client.pem"), dir_.sub("client.key")};
  }
  std::vector<std::string> client_urls() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < client_ports_.size(); ++i) out.push_back(client_url(static_cast<int>(i)));
    return out;
  }
  // "[\"http://127.0.0.1:1\", ...]" for a config's cluster.etcd.
  std::string toml_list() const {
    std::string out = "[";
    for (const auto& u : client_urls()) out += (out.size() > 1 ? ", \"" : "\"") + u + "\"";
    return out + "]";
  }
  // Stops one member with SIGKILL (as a machine dying would).
  void kill_member(int i) { members_.at(i)->kill_now(); }
  std::string member_log(int i) const { return members_.at(i)->log(); }

 private:
  static std::string name(int i) { return "m" + std::to_string(i + 1); }

  // Every member answers a linearizable read (a quorum exists), polled with a deadline.
  void wait_ready(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (int i = 0; i < static_cast<int>(members_.size()); ++i) {
      cluster::EtcdClient client({client_url(i)}, std::chrono::milliseconds(1000), tls_files());
      for (;;) {
        try {
          client.range("/ptp-test/ready");
          break;
        } catch (const std::exception& e) {
          if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("etcd member " + name(i) + " not ready: " + e.what() + "\n" + member_log(i));
          std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition with a deadline
        }
      }
    }
  }

  // A CA, a server certificate for 127.0.0.1 (also usable as a client: etcd's gateway dials its own
  // gRPC port with it) and a client certificate, all EC P-256 and valid for two days.
  void make_certificates() {
    const std::string openssl = find_program("openssl");
    const auto d = [&](const std::string& f) { return "'" + dir_.sub(f) + "'"; };
    const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::ofstream(dir_.sub("server.ext")) << "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n";
    std::ofstream(dir_.sub("client.ext")) << "extendedKeyUsage=clientAuth\n";
    const std::vector<std::string> steps = {
        openssl + " req -x509" + key + " -keyout " + d("ca.key") + " -out " + d("ca.pem") + " -days 2 -subj /CN=ptp-test-ca",
        openssl + " req" + key + " -keyout " + d("server.key") + " -out " + d("server.csr") + " -subj /CN=etcd",
        openssl + " x509 -req -in " + d("server.csr") + " -CA " + d("ca.pem") + " -CAkey " + d("ca.key") +
            " -CAcreateserial -out " + d("server.pem") + " -days 2 -extfile " + d("server.ext"),
        openssl + " req" + key + " -keyout " + d("client.key") + " -out " + d("client.csr") + " -subj /CN=ptp-node",
        openssl + " x509 -req -in " + d("client.csr") + " -CA " + d("ca.pem") + " -CAkey " + d("ca.key") +
            " -CAcreateserial -out " + d("client.pem") + " -days 2 -extfile " + d("client.ext"),
    };
    for (const auto& step : steps) {
      const auto run = run_command(step);
      if (run.exit_code != 0) throw std::runtime_error("making the test's certificates failed: " + step + "\n" + run.output);
    }
  }

  Tls tls_;
  TempDir dir_;
  std::vector<int> client_ports_, peer_ports_;
  std::vector<std::unique_ptr<ChildProcess>> members_;
};

}  // namespace ptp::test
