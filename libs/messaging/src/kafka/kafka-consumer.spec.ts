import { assignmentLine } from './kafka-consumer';

describe('assignmentLine', () => {
  it('names the group, the member and the partitions it owns, per topic, in order', () => {
    expect(
      assignmentLine({
        groupId: 'oms-saga-orchestrator',
        memberId: 'oms-5f1c',
        isLeader: true,
        memberAssignment: { 'oms.order.events': [5, 0, 11, 3] },
      }),
    ).toBe('consumer group oms-saga-orchestrator joined (member oms-5f1c, leader): oms.order.events partitions 0,3,5,11');
  });

  it('says so when a member got no partition (more members than partitions)', () => {
    expect(assignmentLine({ groupId: 'g', memberId: 'm', isLeader: false, memberAssignment: {} })).toBe(
      'consumer group g joined (member m): no partitions assigned (more members than partitions)',
    );
  });
});
