// TLS material a client presents and trusts, as PEM files: the CA that signed the server's
// certificate (empty: the system's trust store), and this client's certificate and key when the
// server asks for one (etcd's --client-cert-auth).
#pragma once

#include <string>

namespace ptp::exchange {

struct TlsFiles {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

}  // namespace ptp::exchange
