import { TicketSql } from './cycle-reads';

describe('TicketSql', () => {
  it('joins the ticket a column or parameter names', () => {
    expect(TicketSql.join('t', 'a.ticket_id')).toBe('JOIN ticket t ON t.id = a.ticket_id');
    expect(TicketSql.join('tk', '$2::uuid', 'LEFT JOIN')).toBe('LEFT JOIN ticket tk ON tk.id = $2::uuid');
  });

  it('refuses anything but an alias and a column or parameter', () => {
    expect(() => TicketSql.join('t; DROP TABLE ticket', 'a.ticket_id')).toThrow('Not an SQL alias');
    expect(() => TicketSql.join('t', "a.ticket_id OR '1'='1'")).toThrow('Not a column or parameter');
    expect(() => TicketSql.join('T', 'a.ticket_id')).toThrow('Not an SQL alias');
  });
});
