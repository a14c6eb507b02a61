# SPDX-License-Identifier: GPL-3.0-or-later
# The Node roles module: SolrCloud node roles and the Overseer election read from ZooKeeper.
target_sources(opsdeck_core PRIVATE
    roles/findings.cpp roles/findings.h
    roles/rolesjson.cpp roles/rolesjson.h
    roles/rolesnapshot.cpp roles/rolesnapshot.h
    roles/rolespec.cpp roles/rolespec.h
    roles/solrjson.cpp roles/solrjson.h
    roles/solrnames.cpp roles/solrnames.h
    roles/solrtree.h
    roles/solrwatcher.cpp roles/solrwatcher.h
)
