// The multi-Region wing's one door (ADR 0015): the Regions of this browser, what a multi-Region key is,
// and how its shared properties move between Regions. ops/multi-region.ts holds the two operations.
export { RegionSet, type RegionPorts, type RegionStores } from './region-set';
export { checkRegion, isRegionName, multiRegionFields, requireNotReplica } from './config';
export { joinPrimary, replicaGone, syncReplicas, SYNC_EVENT } from './sync';
export { deviceReplicas, REPLICATION_EVENT_SOURCE, type DeviceReplicas } from './device-replica';
