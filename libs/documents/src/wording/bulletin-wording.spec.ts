import type { BulletinTeamFacts } from '@app/cycles';
import { criticismReasons, praiseReasons, problemSentences } from './bulletin-wording';

const facts = (patch: Partial<BulletinTeamFacts> = {}): BulletinTeamFacts => ({
  tasks: { total: 2, completion: 1 },
  closedOut: 2,
  closedOnTime: 2,
  overdue: 0,
  overdueBeyondLimit: 0,
  returned: 0,
  selfCheck: 'on_time',
  ...patch,
});
const limits = { overdueDaysLimit: 30, lowTaskCompletion: 0.8 };

describe('the wording of the bulletin', () => {
  it.each([
    [facts(), ['任务清单完成率100%', '按期销号2件', '无逾期未整改问题', '按时报送自查报告']],
    [facts({ tasks: { total: 0, completion: 0 }, closedOut: 0, closedOnTime: 0 }), ['无逾期未整改问题', '按时报送自查报告']],
  ])('praises %j for %j', (f, reasons) => expect(praiseReasons(f)).toEqual(reasons));

  it.each([
    [facts({ tasks: { total: 2, completion: 0.5 } }), ['任务清单完成率仅50%']],
    [facts({ overdue: 3, overdueBeyondLimit: 2 }), ['2个问题逾期超过30天未整改']],
    [facts({ overdue: 1, returned: 2, selfCheck: 'late' }), ['1个问题逾期未整改', '2件销号申请被退回', '未按时报送自查报告']],
    [facts({ selfCheck: 'missing' }), ['未报送月度自查报告']],
    [facts(), ['工作进展缓慢']],
  ])('criticises %j for %j', (f, reasons) => expect(criticismReasons(f, limits)).toEqual(reasons));

  it('words the problems of the month', () => {
    expect(
      problemSentences(
        {
          missingSelfCheck: ['中厂镇第二社区'],
          overdue: { tickets: 2, teams: 1 },
          lowTaskCompletion: ['中厂镇第二社区'],
          lateCloseOuts: 1,
        },
        limits,
      ),
    ).toEqual([
      '1个工作队未报送月度自查报告（中厂镇第二社区）。',
      '逾期未整改问题2个，涉及1个工作队。',
      '中厂镇第二社区任务清单完成率低于80%。',
      '本月逾期销号1件。',
    ]);
    expect(
      problemSentences({ missingSelfCheck: [], overdue: { tickets: 0, teams: 0 }, lowTaskCompletion: [], lateCloseOuts: 0 }, limits),
    ).toEqual([]);
  });

  it('names repeat problems, teams whose self-checks missed problems, and suspected 纸面销号', () => {
    expect(
      problemSentences(
        {
          missingSelfCheck: [],
          overdue: { tickets: 0, teams: 0 },
          lowTaskCompletion: [],
          lateCloseOuts: 0,
          repeats: [{ team: '第一社区', code: '中厂镇-2026-0009', title: '村卫生室未配备常用药品', repeatOf: ['中厂镇-2026-0001'] }],
          selfCheckMissed: [{ team: '第二社区', codes: ['中厂镇-2026-0010', '中厂镇-2026-0011'] }],
          paperCloseOuts: [
            { team: '第一社区', code: '中厂镇-2026-0003', title: '危房未改造', warnings: ['duplicate', 'taken_before_ticket'] },
          ],
        },
        limits,
      ),
    ).toEqual([
      '屡查屡犯问题1个：第一社区中厂镇-2026-0009“村卫生室未配备常用药品”（前次中厂镇-2026-0001已销号）。',
      '1个工作队自查不实，督查巡查发现的问题未列入自查问题清单：第二社区2个（中厂镇-2026-0010、中厂镇-2026-0011）。',
      '疑似纸面销号1件：第一社区中厂镇-2026-0003“危房未改造”（佐证照片与其他问题重复、照片拍摄早于问题发现）。',
    ]);
  });
});
