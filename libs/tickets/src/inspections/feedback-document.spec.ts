import { feedbackDocumentOf } from './feedback-document';

const rows = (...texts: string[][]) => texts.map((values) => ({ values }));

describe('the feedback document a findings list names above its header', () => {
  it('reads the round from the title and the number and date from their labelled rows', () => {
    expect(
      feedbackDocumentOf(
        rows(
          ['州委第三轮巡察第一巡察组巡察中厂镇反馈问题整改清单', '州委第三轮巡察第一巡察组巡察中厂镇反馈问题整改清单'],
          ['反馈文号：黔巡反馈〔2026〕12号', '', '反馈时间：2026年3月10日'],
          ['填报单位：中厂镇人民政府（盖章）', '填报时间：2026年8月1日'],
        ),
      ),
    ).toEqual({ round: '第三轮', docNumber: '黔巡反馈〔2026〕12号', docDate: '2026-03-10' });
  });

  it('takes a date written after the number, square brackets for 〔〕, and ignores the filling-in date', () => {
    expect(feedbackDocumentOf(rows(['反馈文号：黔巡反馈[2026]12号（2026.3.9）'], ['填报时间：2026年8月1日']))).toEqual({
      round: null,
      docNumber: '黔巡反馈〔2026〕12号',
      docDate: '2026-03-09',
    });
    expect(feedbackDocumentOf(rows(['县委第12轮巡察 恩州巡反〔2026〕1号']))).toEqual({
      round: '第12轮',
      docNumber: '恩州巡反〔2026〕1号',
      docDate: null,
    });
  });

  it('names nothing when the title rows carry none of them', () => {
    expect(feedbackDocumentOf(rows(['反馈问题整改清单'], ['填报时间：2026年8月1日'], ['反馈时间：2026年2月30日']))).toEqual({
      round: null,
      docNumber: null,
      docDate: null,
    });
  });
});
