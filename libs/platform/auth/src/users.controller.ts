import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { z } from 'zod';
import { ApiDoc } from '@klaxon/platform/openapi';
import { httpError } from './auth-errors';
import { RequireScope } from './decorators';
import { USER_ROLES } from './roles';
import { LoginThrottle } from './login-throttle';
import { UserStore, type UserRecord } from './user.store';

export const createUserSchema = z
  .object({
    email: z.email().max(320),
    name: z.string().trim().min(1).max(200),
    role: z.enum(USER_ROLES),
    password: z.string().min(12, 'must be at least 12 characters').max(1024),
    memberId: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('The team member this person is: their team and the teams they lead follow from it'),
    teamIds: z
      .array(z.string().min(1).max(100))
      .max(100)
      .optional()
      .describe('Further teams whose complaints this person handles'),
  })
  .strict();
const patchUserSchema = z.object({ disabled: z.boolean() }).strict();

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join('.');
  throw httpError(
    HttpStatus.BAD_REQUEST,
    issue.code === 'unrecognized_keys' ? 'unknown-field' : 'invalid-field',
    `${field || 'body'}: ${issue.message}`,
    field || undefined,
  );
}

/** The console's people (scope `admin`): create, list, disable (which also signs them out) or re-enable and unlock. */
@Controller('api/users')
@RequireScope('admin')
export class UsersController {
  constructor(
    private readonly users: UserStore,
    private readonly throttle: LoginThrottle,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiDoc({
    summary: 'Create a console user (password hashed with scrypt)',
    tags: ['session'],
    body: createUserSchema,
    responses: { 201: { description: 'Created' }, 409: { description: 'E-mail taken' } },
  })
  async create(@Body() body: unknown): Promise<UserRecord> {
    const user = await this.users.create(parse(createUserSchema, body));
    if (!user) throw httpError(HttpStatus.CONFLICT, 'email-taken', 'A user with this e-mail exists', 'email');
    return user;
  }

  @Get()
  @ApiDoc({
    summary: 'List console users (never their passwords)',
    tags: ['session'],
    responses: { 200: { description: 'Users' } },
  })
  async list() {
    const items = await this.users.list();
    return { items, total: items.length };
  }

  @Patch(':id')
  @ApiDoc({
    summary: 'Disable (signs out everywhere) or enable a user; either lifts a lock-out',
    tags: ['session'],
    body: patchUserSchema,
    responses: { 200: { description: 'Done' }, 404: { description: 'No such user' } },
  })
  async patch(@Param('id') id: string, @Body() body: unknown): Promise<{ id: string; disabled: boolean }> {
    const { disabled } = parse(patchUserSchema, body);
    const email = await this.users.setDisabled(id, disabled);
    if (!email) throw httpError(HttpStatus.NOT_FOUND, 'not-found', `user ${id} does not exist`);
    this.throttle.forgetAccount(email); // lifting a lock-out lifts the sign-in limit too
    return { id, disabled };
  }
}
