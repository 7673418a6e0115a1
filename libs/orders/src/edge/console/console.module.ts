import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/**
 * The console's server side: the /console redirect and the metrics of the live view (its pages
 * call the public and admin APIs). An app imports it when OMS_CONSOLE_ENABLED=true, beside
 * serveConsole for the assets.
 */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
