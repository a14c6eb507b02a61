#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Writes the seed corpora in corpus/<target>/ (committed; run once, or again to regenerate).
# The keys and certificates are throw-away test material made here with openssl and keytool:
# they protect nothing. Store password everywhere: "changeit" (fuzz_tlsinspect passes it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
C=corpus
rm -rf "$C"
mkdir -p "$C"/{statement,tlsinspect,solrnames,solrjson,flinkjson}

# seed <target> <name> <content>: one seed file, content as given (printf %s, no newline added)
seed() { printf '%s' "$3" > "$C/$1/$2"; }

# --- statement: the scripts of tests/jobs/tst_statementparser.cpp ---------------------------------
ID=0123456789abcdef0123456789abcdef
UP=0123456789ABCDEF0123456789ABCDEF
MX=DeadBeef0123456789abcdefABCDEF00
seed statement show-jobs 'SHOW JOBS'
seed statement show-jobs-mixed 'Show jObS;'
seed statement show-jobs-comment $'  SHOW   JOBS  -- list them\n'
seed statement comment-first $'-- first\n\tSHOW JOBS ;'
seed statement semicolons ';; ;SHOW JOBS;;'
seed statement describe "DESCRIBE JOB '$ID'"
seed statement desc-bare "desc Job $MX"
seed statement stop "STOP JOB '$ID'"
seed statement stop-savepoint "STOP JOB $ID WITH SAVEPOINT"
seed statement stop-drain "STOP JOB '$ID' WITH SAVEPOINT WITH DRAIN;"
seed statement stop-multiline "  stop job $MX -- now"$'\n'"  with savepoint"$'\n'"  with drain"$'\n'
seed statement create "CREATE SAVEPOINT FOR JOB '$ID'"
seed statement create-to-format "CREATE SAVEPOINT FOR JOB '$ID' TO 's3://b/sp' FORMAT NATIVE"
seed statement create-escaped "CREATE SAVEPOINT FOR JOB '$ID' to '/tmp/it''s' Format Canonical;"
seed statement create-lower "create savepoint for job $UP format native"
seed statement show-savepoints "SHOW SAVEPOINTS FOR JOB '$ID'"
seed statement drop "DROP SAVEPOINT '/sp/savepoint-1'"
seed statement drop-escaped "drop savepoint 'a''b''''c' -- gone"
seed statement drop-comment-in-string "DROP SAVEPOINT 'hdfs:///x--y;z'"
seed statement script "SHOW JOBS; desc job $ID;;"$'\n'"-- stop it"$'\n'"  STOP JOB '$UP' WITH SAVEPOINT;"
seed statement script-lines "show jobs;"$'\n'"show savepoints for job $ID;"$'\n'"create savepoint for job $ID to '/d';"$'\n'"drop savepoint '/d/sp-1'"$'\n'";"$'\n'"STOP JOB $ID"
seed statement error-unterminated "DROP SAVEPOINT '/x"$'\n'"'"
seed statement error-short-id "STOP JOB 'abc' WITH"
seed statement error-keyword "SHOW TABLES"
seed statement unicode "DROP SAVEPOINT '/sp/\u00e9t\u00e9-\u2603'"

# --- tlsinspect: first byte = selector (bits 0-2 file name, bit 3 password), then the file -------
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
tls() { { printf "\\x$(printf %02x "$2")"; cat "$3"; } > "$C/tlsinspect/$1"; }
openssl ecparam -name prime256v1 -genkey -noout -out "$W/ca.key" 2>/dev/null
openssl req -x509 -new -key "$W/ca.key" -subj /CN=opsdeck-fuzz-ca -days 36500 -out "$W/ca.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$W/leaf.key" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$W/leaf.key" -out "$W/leaf.p8" 2>/dev/null
openssl req -new -key "$W/leaf.key" -subj /CN=localhost -out "$W/leaf.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > "$W/ext"
openssl x509 -req -in "$W/leaf.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" -CAcreateserial \
    -days 36500 -extfile "$W/ext" -out "$W/leaf.pem" 2>/dev/null
cat "$W/leaf.pem" "$W/ca.pem" > "$W/chain.pem"
sed 's/$/\r/' "$W/chain.pem" > "$W/chain-crlf.pem"
openssl x509 -in "$W/leaf.pem" -outform DER -out "$W/leaf.der"
openssl pkcs8 -topk8 -in "$W/leaf.key" -passout pass:changeit -v2 aes-128-cbc -iter 1 \
    -out "$W/leaf-enc.key" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$W/leaf.key" -outform DER -out "$W/leaf-key.der" 2>/dev/null
openssl pkcs12 -export -in "$W/leaf.pem" -inkey "$W/leaf.key" -certfile "$W/ca.pem" -name server \
    -passout pass:changeit -iter 1 -nomaciter -out "$W/store.p12" 2>/dev/null
openssl pkcs12 -export -in "$W/ca.pem" -nokeys -passout pass: -iter 1 -nomaciter \
    -out "$W/trust-nopass.p12" 2>/dev/null
openssl pkcs12 -export -legacy -in "$W/leaf.pem" -inkey "$W/leaf.key" -passout pass:changeit \
    -iter 1 -nomaciter -out "$W/legacy.p12" 2>/dev/null || true
tls chain-pem 0 "$W/chain.pem"
tls chain-crlf 0 "$W/chain-crlf.pem"
tls leaf-pem 0 "$W/leaf.pem"
tls key-pem 1 "$W/leaf.key"
tls key-pkcs8 1 "$W/leaf.p8"
tls key-encrypted 9 "$W/leaf-enc.key"
tls ca-pem 2 "$W/ca.pem"
tls p12-password 11 "$W/store.p12"
tls p12-trust-nopass 3 "$W/trust-nopass.p12"
[ -s "$W/legacy.p12" ] && tls p12-legacy 11 "$W/legacy.p12"
tls cert-der 6 "$W/leaf.der"
tls key-der 6 "$W/leaf-key.der"
{ printf 'subject=CN = localhost\n'; cat "$W/leaf.pem"; printf 'trailing text\n'; } > "$W/text.pem"
tls text-around-pem 0 "$W/text.pem"
if command -v keytool >/dev/null; then
    for type in JKS JCEKS; do
        lower="$(echo "$type" | tr 'A-Z' 'a-z')"
        # The PKCS#12 above as a PrivateKeyEntry, the CA as a trusted certificate entry.
        keytool -importkeystore -noprompt -srckeystore "$W/store.p12" -srcstoretype PKCS12 \
            -srcstorepass changeit -destkeystore "$W/store.$lower" -deststoretype "$type" \
            -deststorepass changeit -destkeypass changeit >/dev/null 2>&1
        keytool -importcert -noprompt -alias ca -file "$W/ca.pem" -keystore "$W/store.$lower" \
            -storetype "$type" -storepass changeit >/dev/null 2>&1
        keytool -importcert -noprompt -alias ca -file "$W/ca.pem" -keystore "$W/trust.$lower" \
            -storetype "$type" -storepass changeit >/dev/null 2>&1
    done
    tls jks-password 12 "$W/store.jks"
    tls jks-nopass 4 "$W/store.jks"
    tls jks-trust 12 "$W/trust.jks"
    tls jceks-password 13 "$W/store.jceks"
    tls jceks-trust 5 "$W/trust.jceks"
fi
printf 'not a certificate at all\n' > "$W/junk"
tls junk 7 "$W/junk"

# --- solrnames: names, leader payloads, and a queue (one child per line) -------------------------
N1='solr-0.solr-headless.ns.svc.cluster.local:8983_solr'
N2='10.0.0.2:8983_solr'
seed solrnames node "$N1"
seed solrnames node-ipv6 '0:0:0:0:0:0:0:1:8983_solr%2Fsub'
seed solrnames node-root 'h:8983_'
seed solrnames node-plus 'h:08983_my+solr%C3%A9'
seed solrnames election "72057594037927936-$N1-n_0000000001"
seed solrnames election-negative-sid "-8646911284551352320-$N2-n_0000000003"
seed solrnames election-overflow "72057594037927937-$N2-n_-2147483648"
seed solrnames election-dash-node "72057594037927938-h-n_1:8983_solr-n_0000000007"
seed solrnames leader "{\"id\":\"72057594037927936-$N1-n_0000000001\"}"
seed solrnames leader-bad '{"id":42}'
seed solrnames queue "{\"id\":\"72057594037927936-$N1-n_0000000001\"}
72057594037927936-$N1-n_0000000001
-8646911284551352320-$N2-n_0000000003
144115188075855872-10.0.0.3:8983_solr-n_0000000002
garbage-child"

# --- solrjson: "<collection>\n<prs children, comma separated>\n<state.json or roles.json>" ------
STATE='{"c1":{"pullReplicas":"0","configName":"_default","router":{"name":"compositeId"},"nrtReplicas":"2","tlogReplicas":"0","perReplicaState":"false","shards":{"shard1":{"range":"80000000-ffffffff","state":"active","replicas":{"core_node1":{"core":"c1_shard1_replica_n1","node_name":"10.0.0.1:8983_solr","base_url":"http://10.0.0.1:8983/solr","state":"active","type":"NRT","force_set_state":"false","leader":"true"},"core_node3":{"core":"c1_shard1_replica_n2","node_name":"10.0.0.2:8983_solr","base_url":"http://10.0.0.2:8983/solr","state":"down","type":"TLOG"}}},"shard2":{"range":"0-7fffffff","state":"active","replicas":{"core_node5":{"core":"c1_shard2_replica_p4","node_name":"10.0.0.3:8983_solr","state":"recovering","type":"PULL"}}}}}}'
seed solrjson state "c1

$STATE"
seed solrjson state-prs "c1
core_node1:4:D,core_node3:7:A:L,core_node5:2:F,bogus
$STATE"
seed solrjson state-other-collection "other

$STATE"
seed solrjson state-empty-object $'c1\n\n{}'
seed solrjson roles '{"overseer":["10.0.0.1:8983_solr","10.0.0.2:8983_solr"]}'
seed solrjson roles-null 'null'
seed solrjson roles-odd '{"overseer":["h:8983_solr",3,null],"data":"x","other":[]}'

# --- flinkjson: reply bodies of the endpoints opsdeck decodes ------------------------------------
J1=a1b2c3d4e5f60718293a4b5c6d7e8f90
seed flinkjson overview "{\"jobs\":[{\"jid\":\"$J1\",\"name\":\"Orders ETL\",\"start-time\":1717000000000,\"end-time\":-1,\"duration\":3600000,\"state\":\"RUNNING\",\"last-modification\":1717000001000,\"tasks\":{\"running\":4,\"canceling\":0,\"canceled\":0,\"total\":4,\"created\":0,\"scheduled\":0,\"deploying\":0,\"reconciling\":0,\"finished\":0,\"initializing\":0,\"failed\":0}},{\"jid\":\"FFEEDDCCBBAA99887766554433221100\",\"name\":\"old\",\"start-time\":\"1716000000000\",\"end-time\":1716000500000,\"duration\":500000,\"state\":\"FINISHED\",\"tasks\":{\"TOTAL\":2,\"RUNNING\":0}}]}"
seed flinkjson details "{\"jid\":\"$J1\",\"name\":\"Orders ETL\",\"isStoppable\":false,\"state\":\"RUNNING\",\"job-type\":\"STREAMING\",\"start-time\":1717000000000,\"end-time\":-1,\"duration\":3600000,\"maxParallelism\":-1,\"now\":1717003600000,\"timestamps\":{\"RUNNING\":1717000000100},\"vertices\":[{\"id\":\"cbc357ccb763df2852fee8c4fc7d55f2\",\"name\":\"Source: orders\",\"maxParallelism\":128,\"parallelism\":2,\"status\":\"RUNNING\",\"start-time\":1717000000200,\"end-time\":-1,\"duration\":3599800,\"tasks\":{\"RUNNING\":2,\"FINISHED\":0},\"metrics\":{\"read-bytes\":0,\"write-bytes\":\"NaN\"}},{\"id\":\"90bea66de1c231edf33913ecd54406c1\",\"name\":\"Sink\",\"parallelism\":2,\"status\":\"RUNNING\",\"start-time\":1717000000300,\"end-time\":-1,\"duration\":3599700,\"tasks\":{\"running\":2}}],\"status-counts\":{\"RUNNING\":2},\"plan\":{\"jid\":\"$J1\",\"nodes\":[]}}"
seed flinkjson checkpoints '{"counts":{"restored":1,"total":3,"in_progress":0,"completed":2,"failed":1},"summary":{},"latest":{"completed":null,"savepoint":{"className":"completed","id":7,"status":"COMPLETED","is_savepoint":true,"trigger_timestamp":1717000100000,"latest_ack_timestamp":1717000101000,"checkpoint_type":"SAVEPOINT","savepointFormat":"CANONICAL","external_path":"file:/sp/savepoint-a1b2c3-7","discarded":false},"failed":null,"restored":{"id":3,"restore_timestamp":1716999000000,"is_savepoint":true,"external_path":"file:/sp/savepoint-old-3"}},"history":[{"className":"completed","id":7,"status":"COMPLETED","is_savepoint":true,"trigger_timestamp":1717000100000,"latest_ack_timestamp":1717000101000,"checkpoint_type":"SAVEPOINT","external_path":"file:/sp/savepoint-a1b2c3-7","discarded":false},{"@class":"completed","id":6,"status":"COMPLETED","is_savepoint":true,"trigger_timestamp":"1717000000000","latest_ack_timestamp":1717000001000,"checkpoint_type":"SYNC_SAVEPOINT","external_path":"file:/sp/savepoint-a1b2c3-6"},{"className":"failed","id":5,"status":"FAILED","is_savepoint":true,"failure_message":"x"}]}'
seed flinkjson async-in-progress '{"status":{"id":"IN_PROGRESS"}}'
seed flinkjson async-completed '{"status":{"id":"COMPLETED"},"operation":{"location":"file:/sp/savepoint-a1b2c3-8"}}'
seed flinkjson async-failed '{"status":{"id":"COMPLETED"},"operation":{"failure-cause":{"class":"java.util.concurrent.CompletionException","stack-trace":"java.util.concurrent.CompletionException: org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint Coordinator is suspending.\n\tat org.apache.flink...","serialized-throwable":"rO0AB"}}}'
seed flinkjson trigger '{"request-id":"0A1B2C3D4E5F60718293A4B5C6D7E8F9"}'
seed flinkjson error-404 '{"errors":["Not found: /jobs/ffff"]}'
seed flinkjson error-500 '{"errors":["Internal server error.","<Exception on server side:\norg.apache.flink.runtime.rest.handler.RestHandlerException: Job could not be found.\n\tat org.apache.flink.runtime.rest.handler.job.JobDetailsHandler.handle(JobDetailsHandler.java:83)\n\nEnd of exception on server side>"]}'
seed flinkjson numbers '{"jobs":[{"jid":"x","start-time":"NaN","duration":"Infinity","end-time":1e300,"tasks":{"total":"-Infinity","running":9007199254740993}}]}'

find "$C" -type f | wc -l | xargs printf 'wrote %s seed files\n'
du -sh "$C"
