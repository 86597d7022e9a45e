import { Controller, Get, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CurrentPrincipal, Forbidden, Principal, Public } from '@app/platform';
import { CategoryList, EDITABLE_FIELDS, EditableField, TicketEditService, TicketService } from '@app/tickets';
import { IdPipe } from '../common/id.pipe';
import { EditIssueDto } from '../tickets/tickets.dto';
import { ConsoleErrorFilter } from './console-error.filter';
import { checkedForm, ConsolePages, field, formOf } from './console-page';
import { ConsoleAuthGuard, ConsoleReply, ConsoleRequest } from './session';

const ticketId = new IdPipe('Ticket');
/** The fields written in a text area rather than on one line. */
const LONG_FIELDS: readonly EditableField[] = ['description', 'measures'];

/**
 * The ticket edit form (`PATCH /issues/:id`): each field the caller may change, at the
 * ticket's version, so that an edit made on a ticket changed meanwhile loses with a 409.
 */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleAuthGuard)
@UseFilters(ConsoleErrorFilter)
@Controller()
export class TicketEditConsoleController {
  constructor(
    private readonly tickets: TicketService,
    private readonly edits: TicketEditService,
    private readonly categories: CategoryList,
    private readonly pages: ConsolePages,
  ) {}

  @Get('tickets/:id/edit')
  async form(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply, @Param('id', ticketId) id: string) {
    const ticket = await this.tickets.get(p, id);
    if (!ticket.editableFields.length) throw new Forbidden('You may not edit this ticket');
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'ticket-edit', {
      title: `${t.editTicket} · ${ticket.code}`,
      ticket,
      fields: ticket.editableFields.map((name) => ({
        name,
        label: t.ticketField[name],
        value: ticket[name] ?? '',
        long: LONG_FIELDS.includes(name),
        choices: name === 'category' ? this.categories.list.map((c) => ({ value: c, selected: c === ticket.category })) : undefined,
      })),
    });
  }

  @Post('tickets/:id/edit')
  async save(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply, @Param('id', ticketId) id: string) {
    const body = formOf(req);
    const values: Record<string, unknown> = { version: Number(field(body, 'version')) };
    // Only the fields the form carried: an empty one clears the value, an absent one is left alone.
    for (const name of EDITABLE_FIELDS) if (name in body) values[name] = field(body, name);
    const edit = await checkedForm(EditIssueDto, values as unknown as EditIssueDto);
    await this.edits.edit(p, id, edit);
    this.pages.redirect(reply, `/tickets/${id}#history`);
  }
}
