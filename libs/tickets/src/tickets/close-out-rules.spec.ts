import { ValidationFailed } from '@app/platform';
import { approvalOverWarnings } from './close-out-rules';

describe('approvalOverWarnings', () => {
  const warning = (code: string) => ({ code, message: '…', evidenceId: 'e', filename: 'IMG_1.jpg' }) as never;
  const far = { evidence_warnings: [warning('far_from_unit'), warning('duplicate'), warning('far_from_unit')] };

  it('asks nothing of a ticket without warnings, or of other actions', () => {
    expect(approvalOverWarnings({ evidence_warnings: [] }, { action: 'approve' })).toBeUndefined();
    expect(approvalOverWarnings(far, { action: 'return' })).toBeUndefined();
    expect(approvalOverWarnings(far, { action: 'submit', comment: '' })).toBeUndefined();
  });

  it.each([undefined, '', '  \n '])('refuses an approval over warnings with the comment %p, on the comment field', (comment) => {
    let error: unknown;
    try {
      approvalOverWarnings(far, { action: 'approve', comment });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).message).toBe(
      'comment: the evidence has warnings (far_from_unit, duplicate): write why you approve it anyway',
    );
  });

  it('records each code once with the reason', () => {
    expect(approvalOverWarnings(far, { action: 'approve', comment: ' 经现场核实，照片系在村委会补拍 ' })).toEqual({
      evidenceWarnings: { codes: ['far_from_unit', 'duplicate'], reason: '经现场核实，照片系在村委会补拍' },
    });
  });
});
