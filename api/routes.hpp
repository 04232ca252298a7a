// The operator API's REST routes (/v1/...), on the API's HTTP server.
#pragma once

namespace httplib {
class Server;
}

namespace ptp::api {

class Operations;

// GET /v1/status, GET /v1/positions, GET /v1/history, GET /v1/positions/{key}/history,
// POST /v1/positions/{key}/stages/{n}/execute (caller operator), PUT /v1/mode {"mode", "reason"}.
void install_operator_routes(httplib::Server& http, Operations& ops);

}  // namespace ptp::api
