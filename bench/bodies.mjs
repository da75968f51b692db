// Request bodies shared by the benchmarks: a 653-byte Wallarm "new hit" notification (the fields of
// the source document's examples, valid against schemas/notifications) and a 20-notification array.
export const hit = {
  summary: '[Wallarm] New hit detected',
  details: {
    client_name: 'TestCompany',
    cloud: 'EU',
    notification_type: 'new_hits',
    hit: {
      domain: 'www.example.com',
      method: 'POST',
      parameter: 'SOME_value',
      path: '/news/some_path',
      payloads: ['say ni'],
      point: ['post'],
      probability: 0.01,
      remote_country: 'PL',
      remote_port: 0,
      remote_addr4: '8.8.8.8',
      tor: 'none',
      request_time: 1603834606,
      create_time: 1603834606,
      response_len: 14,
      response_status: 200,
      response_time: 5,
      stamps: [1111],
      regex: [],
      stamps_hash: -22222,
      id: ['hits_production_999_202010_v_1', 'c2dd33831a13be0d_AC9'],
      object_type: 'hit',
      anomaly: 0,
      block_status: 'monitored',
      type: 'redir',
    },
  },
}

/** One notification as a JSON object body (653 bytes). */
export const singleBody = JSON.stringify(hit)

/** 20 notifications as a JSON array body (what a batching sender posts). */
export const arrayBody = JSON.stringify(
  Array.from({ length: 20 }, (_, i) => ({ ...hit, details: { ...hit.details, hit: { ...hit.details.hit, stamps_hash: -22222 - i } } })),
)

/** One notification in a JSON array (what the Wallarm integration posts for a single hit), 655 bytes. */
export const oneInArrayBody = JSON.stringify([hit])
