# SPDX-License-Identifier: GPL-3.0-or-later
# The Job control module: the statement language, the Flink REST transport and decoders, the
# executor with its savepoint ledger and audit trail.
target_sources(opsdeck_core PRIVATE
    jobs/audittrail.cpp jobs/audittrail.h
    jobs/flinkjson.cpp jobs/flinkjson.h
    jobs/jobexecutor.cpp jobs/jobexecutor.h
    jobs/restclient.cpp jobs/restclient.h
    jobs/statement.cpp jobs/statement.h
)
