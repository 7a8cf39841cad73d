// The console's GraphQL documents and the shapes of their results. Plain strings, so this file
// has no browser dependency: test/console/documents.test.ts validates every document against the
// gateway's schema, so a renamed field fails `npm test` rather than the page.

export type Decision = 'ALLOW' | 'REDACT' | 'DENY';

export const WHO_AM_I = /* GraphQL */ `
  query ConsoleWhoAmI {
    policy {
      pack
      version
    }
  }
`;
export interface WhoAmIResult {
  policy: { pack: string; version: string };
}

export const AUDIT_EVENTS = /* GraphQL */ `
  query ConsoleAuditEvents($filter: AuditFilter, $first: Int, $after: String) {
    auditEvents(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          seq
          chainId
          at
          requestId
          actor {
            subject
            roles
            client
          }
          purpose
          legalBasis
          operationName
          operationType
          outcome
          code
          accesses
          decisions {
            subject
            coordinate
            category
            purpose
            decision
            reason
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
export interface AuditFilter {
  subject?: string;
  actor?: string;
  operationName?: string;
  from?: string;
  to?: string;
  decision?: Decision;
}
export interface AuditEventView {
  id: string;
  seq: number;
  chainId: string;
  at: string;
  requestId: string;
  actor: { subject: string | null; roles: string[]; client: string | null };
  purpose: string | null;
  legalBasis: string | null;
  operationName: string | null;
  operationType: string | null;
  outcome: string;
  code: string | null;
  accesses: string[];
  decisions: { subject: string | null; coordinate: string; category: string; purpose: string; decision: Decision; reason: string | null }[];
}
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
export interface AuditEventsResult {
  auditEvents: Page<AuditEventView>;
}

export const VERIFY_AUDIT_LOG = /* GraphQL */ `
  query ConsoleVerifyAuditLog {
    verifyAuditLog {
      ok
      checkedEvents
      checkedCheckpoints
      firstBrokenSeq
      brokenChainId
      reason
      head
      problems {
        kind
        chainId
        seq
        detail
      }
      chains {
        chainId
        ok
        status
        lastSeq
        lastCheckpointSeq
        witnessedSize
        pendingEvents
      }
    }
  }
`;
export interface VerifyResult {
  verifyAuditLog: {
    ok: boolean;
    checkedEvents: number;
    checkedCheckpoints: number;
    firstBrokenSeq: number | null;
    brokenChainId: string | null;
    reason: string | null;
    head: string | null;
    problems: { kind: string; chainId: string | null; seq: number | null; detail: string }[];
    chains: { chainId: string; ok: boolean; status: string; lastSeq: number; lastCheckpointSeq: number; witnessedSize: number; pendingEvents: number }[];
  };
}

export const EVIDENCE_BUNDLE = /* GraphQL */ `
  query ConsoleEvidenceBundle($from: DateTime!, $to: DateTime!, $since: String) {
    evidenceBundle(from: $from, to: $to, since: $since)
  }
`;
export interface EvidenceResult {
  evidenceBundle: string;
}

export const DATA_MAP = /* GraphQL */ `
  query ConsoleDataMap {
    policy {
      pack
      version
      source
      minimumAge
      purposesRequiringConsent
      facts {
        documentTitle
        law
        role
        controllerName
        dpoContact
        country
        residency
      }
    }
    dataMap {
      type
      field
      category
      purposes
      retention
      strategy
    }
  }
`;
export interface DataMapResult {
  policy: {
    pack: string;
    version: string;
    source: string;
    minimumAge: number;
    purposesRequiringConsent: string[];
    facts: { documentTitle: string; law: string; role: string; controllerName: string | null; dpoContact: string | null; country: string; residency: string | null };
  };
  dataMap: { type: string; field: string; category: string; purposes: string[]; retention: string | null; strategy: string }[];
}

export const RECORD_OF_PROCESSING = /* GraphQL */ `
  query ConsoleRecordOfProcessing {
    recordOfProcessing {
      article
      tenant
      pack
      packVersion
      categoriesOfSubjects
      purposes {
        purpose
        name
        legalBasis
        consentRequired
      }
      categoriesOfData {
        category
        name
        fields
        retention
      }
      recipients {
        role
        scope
      }
      markdown
    }
  }
`;
export interface RecordResult {
  recordOfProcessing: {
    article: string;
    tenant: string;
    pack: string;
    packVersion: string;
    categoriesOfSubjects: string[];
    purposes: { purpose: string; name: string; legalBasis: string; consentRequired: boolean }[];
    categoriesOfData: { category: string; name: string; fields: string[]; retention: string | null }[];
    recipients: { role: string; scope: string }[];
    markdown: string;
  };
}

export const DATA_SUBJECT_REQUESTS = /* GraphQL */ `
  query ConsoleDataSubjectRequests($first: Int, $after: String) {
    dataSubjectRequests(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          kind
          subject
          status
          receivedAt
          dueAt
          completedAt
          overdue
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
export interface DsrView {
  id: string;
  kind: string;
  subject: string;
  status: string;
  receivedAt: string;
  dueAt: string;
  completedAt: string | null;
  overdue: boolean;
}
export interface DsrResult {
  dataSubjectRequests: Page<DsrView>;
}

export const DECISION_STATS = /* GraphQL */ `
  query ConsoleDecisionStats($from: DateTime!, $to: DateTime!, $bucket: StatsBucket) {
    decisionStats(from: $from, to: $to, bucket: $bucket) {
      bucketStart
      decision
      reason
      count
    }
  }
`;
export type Bucket = 'HOUR' | 'DAY';
export interface DecisionStat {
  bucketStart: string;
  decision: Decision;
  reason: string | null;
  count: number;
}
export interface DecisionStatsResult {
  decisionStats: DecisionStat[];
}

/** Every document, for the schema check. */
export const DOCUMENTS = { WHO_AM_I, AUDIT_EVENTS, VERIFY_AUDIT_LOG, EVIDENCE_BUNDLE, DATA_MAP, RECORD_OF_PROCESSING, DATA_SUBJECT_REQUESTS, DECISION_STATS } as const;
